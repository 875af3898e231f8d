/**
 * The audit filters: actor (number and role), patient, action, outcome and a date range on the
 * clinic's clock. Applied on submit (Enter or the button), so typing does not fire a request per key.
 */
import FilterIcon from '@mui/icons-material/FilterAlt';
import ClearIcon from '@mui/icons-material/FilterAltOff';
import { Box, Button, MenuItem, Stack, TextField } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { useTranslate } from 'react-admin';
import { clinicTimezone } from '../../locale/time';
import { ACTOR_ROLES, type AuditFilters, filterErrors, NO_FILTERS, OUTCOMES } from './query';

export function AuditFiltersForm({
  initial,
  onApply,
}: {
  initial: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const translate = useTranslate();
  const [draft, setDraft] = useState<AuditFilters>(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof AuditFilters, string>>>({});
  const zone = clinicTimezone();

  const field = (name: keyof AuditFilters) => ({
    id: `audit-filter-${name}`,
    name,
    value: draft[name],
    size: 'small' as const,
    error: !!errors[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  const help = (name: keyof AuditFilters, fallback?: string) =>
    errors[name] ? translate(errors[name] as string) : fallback;

  function submit(e: FormEvent) {
    e.preventDefault();
    const found = filterErrors(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) onApply(draft);
  }

  function clear() {
    setDraft(NO_FILTERS);
    setErrors({});
    onApply(NO_FILTERS);
  }

  return (
    <Box component="form" onSubmit={submit} role="search" aria-label={translate('dfy.audit.apply')} sx={{ mb: 2 }}>
      <Stack direction="row" spacing={1.5} flexWrap="wrap" useFlexGap alignItems="flex-start">
        <TextField
          {...field('action')}
          label={translate('dfy.audit.action')}
          helperText={help('action', translate('dfy.audit.action_help'))}
          sx={{ width: 230 }}
        />
        <TextField {...field('outcome')} select label={translate('dfy.audit.outcome')} sx={{ width: 190 }}>
          <MenuItem value="">{translate('dfy.audit.any')}</MenuItem>
          {OUTCOMES.map((o) => (
            <MenuItem key={o} value={o}>
              {translate(`dfy.audit.outcomes.${o}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField {...field('actorRole')} select label={translate('dfy.audit.actor_role')} sx={{ width: 210 }}>
          <MenuItem value="">{translate('dfy.audit.any')}</MenuItem>
          {ACTOR_ROLES.map((r) => (
            <MenuItem key={r} value={r}>
              {translate(`dfy.audit.roles.${r}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          {...field('actorId')}
          label={translate('dfy.audit.actor')}
          helperText={help('actorId')}
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
          sx={{ width: 190 }}
        />
        <TextField
          {...field('patientId')}
          label={translate('dfy.audit.patient')}
          helperText={help('patientId')}
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
          sx={{ width: 190 }}
        />
        <TextField
          {...field('from')}
          type="datetime-local"
          label={`${translate('dfy.audit.from')} (${zone.split('/').pop()?.replace(/_/g, ' ')})`}
          helperText={help('from')}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 230 }}
        />
        <TextField
          {...field('to')}
          type="datetime-local"
          label={`${translate('dfy.audit.to')} (${zone.split('/').pop()?.replace(/_/g, ' ')})`}
          helperText={help('to')}
          slotProps={{ inputLabel: { shrink: true } }}
          sx={{ width: 230 }}
        />
        <Stack direction="row" spacing={1} sx={{ pt: 0.25 }}>
          <Button type="submit" variant="contained" startIcon={<FilterIcon />}>
            {translate('dfy.audit.apply')}
          </Button>
          <Button type="button" onClick={clear} startIcon={<ClearIcon />}>
            {translate('dfy.audit.clear')}
          </Button>
        </Stack>
      </Stack>
    </Box>
  );
}
