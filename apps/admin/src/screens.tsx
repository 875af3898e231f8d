/**
 * Every screen of the back-office, in one list each, so adding a screen is one import and one line
 * here (plus its menu entry in layout/Menu.tsx and its texts in i18n/es.ts and en.ts).
 *
 * - RESOURCES: react-admin resources backed by the data provider (list/create/edit/show routes).
 * - PAGES: free-form pages under the layout (e.g. /triage, /account), mounted at `path/*`.
 */
import type { ReactElement } from 'react';
import type { ResourceProps } from 'react-admin';
import { AccountPage } from './account';
import { patientsResource } from './patients';
import { AuditPage } from './resources/audit';
import { staffResource } from './resources/staff';
import { TriagePage } from './triage/TriagePage';

export const RESOURCES: ResourceProps[] = [patientsResource, staffResource];

export const PAGES: { path: string; element: ReactElement }[] = [
  { path: '/triage', element: <TriagePage /> },
  { path: '/audit', element: <AuditPage /> },
  { path: '/account', element: <AccountPage /> },
];
