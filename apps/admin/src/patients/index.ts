/** The `patients` resource: list, create, edit. The patient page (show) plugs in here. */
import PatientsIcon from '@mui/icons-material/People';
import { lazy } from 'react';
import type { ResourceProps } from 'react-admin';
import { PatientCreate } from './PatientCreate';
import { PatientEdit } from './PatientEdit';
import { PatientList } from './PatientList';

// The patient page draws charts (Recharts, ~130 kB gzip): fetched when a patient is first opened,
// not with the sign-in page and the lists (react-admin's layout provides the Suspense fallback).
const PatientShow = lazy(() => import('./show/PatientShow').then((m) => ({ default: m.PatientShow })));

export const patientsResource: ResourceProps = {
  name: 'patients',
  list: PatientList,
  create: PatientCreate,
  edit: PatientEdit,
  show: PatientShow,
  icon: PatientsIcon,
  recordRepresentation: (p: { name: string; surname: string }) => `${p.surname}, ${p.name}`,
};
