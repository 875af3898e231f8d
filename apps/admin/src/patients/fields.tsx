/** Small shared fields: blocked chip, clinic-time date, diabetes type. */
import { Chip } from '@mui/material';
import { useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import type { Patient } from '../data/patients';
import { formatDateTime } from '../locale/time';

export function StatusField(_: { source?: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext<Patient>();
  const translate = useTranslate();
  if (!record) return null;
  return record.blocked ? (
    <Chip size="small" color="error" variant="outlined" label={translate('dfy.patients.status_blocked')} />
  ) : (
    <Chip size="small" color="success" variant="outlined" label={translate('dfy.patients.status_active')} />
  );
}

export function ClinicDateTimeField({
  source,
}: {
  source: 'createdAt' | 'updatedAt';
  label?: string;
  sortable?: boolean;
}) {
  const record = useRecordContext<Patient>();
  const [locale] = useLocaleState();
  if (!record) return null;
  return <span>{formatDateTime(record[source], locale)}</span>;
}

export function DiabetesTypeField(_: { source?: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext<Patient>();
  const translate = useTranslate();
  if (!record?.diabetesType) return <span>—</span>;
  return <span>{translate(`dfy.diabetes.${record.diabetesType}`, { _: record.diabetesType })}</span>;
}
