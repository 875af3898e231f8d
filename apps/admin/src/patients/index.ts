/** The `patients` resource: list, create, edit. The patient page (show) plugs in here. */
import PatientsIcon from '@mui/icons-material/People';
import type { ResourceProps } from 'react-admin';
import { PatientCreate } from './PatientCreate';
import { PatientEdit } from './PatientEdit';
import { PatientList } from './PatientList';
import { PatientShow } from './show/PatientShow';

export const patientsResource: ResourceProps = {
  name: 'patients',
  list: PatientList,
  create: PatientCreate,
  edit: PatientEdit,
  show: PatientShow,
  icon: PatientsIcon,
  recordRepresentation: (p: { name: string; surname: string }) => `${p.surname}, ${p.name}`,
};
