export { default } from './audit.routes.js';
export { AuditService } from './audit.service.js';
