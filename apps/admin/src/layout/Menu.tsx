/**
 * The side menu, by role: entries appear only for roles that may use them (src/auth/permissions.ts).
 * Screens added later register here with one line (see the README).
 */
import AuditIcon from '@mui/icons-material/FactCheck';
import TriageIcon from '@mui/icons-material/LowPriority';
import AccountIcon from '@mui/icons-material/ManageAccounts';
import PatientsIcon from '@mui/icons-material/People';
import StaffIcon from '@mui/icons-material/SupervisorAccount';
import type { ReactElement } from 'react';
import { Menu as RaMenu, usePermissions } from 'react-admin';
import { canAccess } from '../auth/permissions';

export interface MenuEntry {
  to: string;
  label: string;
  icon: ReactElement;
  /** The permissions resource checked with `canAccess(roles, resource)`. */
  resource: string;
}

export const MENU: MenuEntry[] = [
  { to: '/patients', label: 'dfy.menu.patients', icon: <PatientsIcon />, resource: 'patients' },
  { to: '/triage', label: 'dfy.menu.triage', icon: <TriageIcon />, resource: 'triage' },
  { to: '/staff', label: 'dfy.menu.staff', icon: <StaffIcon />, resource: 'staff' },
  { to: '/audit', label: 'dfy.menu.audit', icon: <AuditIcon />, resource: 'audit' },
  { to: '/account', label: 'dfy.menu.account', icon: <AccountIcon />, resource: 'account' },
];

/** Entries whose screen exists in this build (App.tsx registers them). */
export function Menu({ available }: { available: readonly string[] }) {
  const { permissions } = usePermissions<string[]>();
  const roles = permissions ?? [];
  return (
    <RaMenu>
      {MENU.filter((e) => available.includes(e.to) && canAccess(roles, e.resource)).map((e) => (
        <RaMenu.Item key={e.to} to={e.to} primaryText={e.label} leftIcon={e.icon} />
      ))}
    </RaMenu>
  );
}
