/** Staff cells: role chips, blocked/active chip, MFA icon, clinic-time date. */
import MfaOffIcon from '@mui/icons-material/GppMaybeOutlined';
import MfaOnIcon from '@mui/icons-material/VerifiedUser';
import { Chip, Stack, Tooltip } from '@mui/material';
import { useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import { formatDateTime } from '../../locale/time';
import type { StaffMember } from './data';

export function RolesField(_: { label?: string; sortable?: boolean }) {
  const record = useRecordContext<StaffMember>();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <Stack direction="row" spacing={0.5}>
      {record.roles.map((role) => (
        <Chip key={role} size="small" label={translate(`dfy.staff.roles.${role}`)} />
      ))}
    </Stack>
  );
}

export function StaffStatusField(_: { label?: string; sortable?: boolean }) {
  const record = useRecordContext<StaffMember>();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <Chip
      size="small"
      variant="outlined"
      color={record.blocked ? 'error' : 'success'}
      label={translate(record.blocked ? 'dfy.staff.status_blocked' : 'dfy.staff.status_active')}
    />
  );
}

export function MfaField(_: { label?: string; sortable?: boolean }) {
  const record = useRecordContext<StaffMember>();
  const translate = useTranslate();
  if (!record) return null;
  const label = translate(record.mfaEnabled ? 'dfy.staff.mfa_on' : 'dfy.staff.mfa_off');
  // The icon alone would say nothing to a screen reader: it carries the label as its name.
  return (
    <Tooltip title={label}>
      {record.mfaEnabled ? (
        <MfaOnIcon color="success" fontSize="small" role="img" aria-label={label} />
      ) : (
        <MfaOffIcon color="disabled" fontSize="small" role="img" aria-label={label} />
      )}
    </Tooltip>
  );
}

export function StaffDateField({ source }: { source: 'createdAt' | 'updatedAt'; label?: string; sortable?: boolean }) {
  const record = useRecordContext<StaffMember>();
  const [locale] = useLocaleState();
  if (!record) return null;
  return <span>{formatDateTime(record[source], locale)}</span>;
}
