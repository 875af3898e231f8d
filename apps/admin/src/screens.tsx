/**
 * Every screen of the back-office, in one list each, so adding a screen is one import and one line
 * here (plus its menu entry in layout/Menu.tsx and its texts in i18n/es.ts and en.ts).
 *
 * - RESOURCES: react-admin resources backed by the data provider (list/create/edit/show routes).
 * - PAGES: free-form pages under the layout (e.g. /triage, /account), mounted at `path/*`.
 */
import type { ReactElement } from 'react';
import type { ResourceProps } from 'react-admin';
import { patientsResource } from './patients';

export const RESOURCES: ResourceProps[] = [patientsResource];

export const PAGES: { path: string; element: ReactElement }[] = [];
