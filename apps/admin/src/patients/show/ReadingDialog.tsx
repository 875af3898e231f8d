/**
 * Add a reading for the patient, or edit one (clinicians: the API's writers and editors). The value
 * is typed in the user's unit and sent with that unit; the server converts and stores mg/dL. The
 * time is typed on the clinic's wall clock (the zone is shown next to it).
 */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { type HttpError, useNotify, useTranslate } from 'react-admin';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { roundForDisplay } from '../../glucose/units';
import { useGlucoseUnit } from '../../glucose/useGlucoseUnit';
import { zoneName } from '../../locale/time';
import type { Reading } from './chartData';
import { wallClock, zonedInstant } from './window';

export const CONTEXTS = [
  'fasting',
  'breakfast',
  'lunch',
  'snack',
  'dinner',
  'exercise',
  'other_meal',
  'bedtime',
  'other',
] as const;

interface Props {
  open: boolean;
  onClose: () => void;
  onSaved: () => void;
  patientId: number;
  patientName: string;
  timeZone: string;
  /** Present: edit this reading; absent: a new one. */
  reading?: Reading;
}

export function ReadingDialog({ open, onClose, onSaved, patientId, patientName, timeZone, reading }: Props) {
  const translate = useTranslate();
  const notify = useNotify();
  const [unit] = useGlucoseUnit();
  const [value, setValue] = useState(
    reading?.valueMgDl != null ? String(roundForDisplay(reading.valueMgDl, unit)) : '',
  );
  const [when, setWhen] = useState(wallClock(reading?.measuredAt ?? new Date(), timeZone));
  const [context, setContext] = useState<(typeof CONTEXTS)[number]>(reading?.context ?? 'other');
  const [notes, setNotes] = useState(reading?.notes ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const zone = zoneName(new Date(), 'es', timeZone);

  async function save() {
    const number = Number(value.replace(',', '.'));
    if (!value.trim() || !Number.isFinite(number)) {
      setErrors({ value: 'dfy.validation.required' });
      return;
    }
    setSaving(true);
    const body = {
      value: number,
      unit,
      measuredAt: zonedInstant(when, timeZone),
      context,
      ...(notes.trim() ? { notes: notes.trim() } : {}),
    };
    try {
      if (reading) {
        unwrap(
          await api.PATCH('/v1/readings/{id}', {
            params: { path: { id: reading.id } },
            body: { ...body, notes: notes.trim() || null, revision: reading.revision },
          }),
        );
        notify('dfy.pp.glucose.edited', { type: 'success' });
      } else {
        unwrap(await api.POST('/v1/readings', { body: { ...body, patientId } }));
        notify('dfy.pp.glucose.added', { type: 'success' });
      }
      onSaved();
      onClose();
    } catch (e) {
      const err = e as HttpError;
      const fields = (err.body as { errors?: Record<string, string> } | undefined)?.errors ?? {};
      setErrors(fields);
      notify(err.message, { type: 'error' });
    } finally {
      setSaving(false);
    }
  }

  const helper = (field: string) => (errors[field] ? translate(errors[field]) : undefined);
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="reading-dialog-title" fullWidth maxWidth="xs">
      <DialogTitle id="reading-dialog-title">
        {reading
          ? translate('dfy.pp.glucose.edit_title')
          : translate('dfy.pp.glucose.add_title', { name: patientName })}
      </DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          <TextField
            label={translate('dfy.pp.glucose.value', { unit })}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            inputMode="decimal"
            required
            autoFocus
            error={!!errors.value || !!errors.valueMgDl}
            helperText={helper('value') ?? helper('valueMgDl')}
            slotProps={{ htmlInput: { 'data-testid': 'reading-value' } }}
          />
          <TextField
            type="datetime-local"
            label={translate('dfy.pp.glucose.when', { zone })}
            value={when}
            onChange={(e) => setWhen(e.target.value)}
            required
            error={!!errors.measuredAt}
            helperText={helper('measuredAt')}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            select
            label={translate('dfy.pp.glucose.context')}
            value={context}
            onChange={(e) => setContext(e.target.value as (typeof CONTEXTS)[number])}
          >
            {CONTEXTS.map((c) => (
              <MenuItem key={c} value={c}>
                {translate(`dfy.pp.context.${c}`)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            label={translate('dfy.pp.glucose.notes')}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
            multiline
            minRows={2}
            error={!!errors.notes}
            helperText={helper('notes')}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{translate('dfy.common.cancel')}</Button>
        <Button onClick={save} variant="contained" disabled={saving}>
          {translate('ra.action.save')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
