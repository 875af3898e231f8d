/** The audit-log page, mounted at /audit (PAGES in src/screens.tsx). */
export { AuditPage } from './AuditPage';
