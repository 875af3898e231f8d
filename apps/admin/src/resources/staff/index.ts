/** The `staff` resource (admins only: the permissions matrix and the API agree). */
import StaffIcon from '@mui/icons-material/SupervisorAccount';
import type { ResourceProps } from 'react-admin';
import { StaffCreate } from './StaffCreate';
import { StaffEdit } from './StaffEdit';
import { StaffList } from './StaffList';

export { staffHandlers } from './data';

export const staffResource: ResourceProps = {
  name: 'staff',
  list: StaffList,
  create: StaffCreate,
  edit: StaffEdit,
  icon: StaffIcon,
  recordRepresentation: (s: { name: string; username: string }) => `${s.name} (${s.username})`,
};
