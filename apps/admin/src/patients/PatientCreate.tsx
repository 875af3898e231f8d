/**
 * Register a patient, either inviting them by e-mail (no password: the API mails a set-password
 * link) or with an initial password typed by staff (the password policy applies server-side).
 */
import { FormControlLabel, Radio, RadioGroup } from '@mui/material';
import { useState } from 'react';
import { Create, PasswordInput, required, useNotify, useRedirect, useTranslate } from 'react-admin';
import type { Patient } from '../data/patients';
import { PatientForm } from './PatientForm';

export function PatientCreate() {
  const translate = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const [mode, setMode] = useState<'invite' | 'password'>('invite');
  return (
    <Create
      transform={(data: Record<string, unknown>) => {
        const { password, ...rest } = data;
        return mode === 'password' ? { ...rest, password } : rest;
      }}
      mutationOptions={{
        onSuccess: (created: Patient) => {
          notify(mode === 'password' ? 'dfy.patients.created_password' : 'dfy.patients.created_invite', {
            type: 'success',
          });
          redirect('edit', 'patients', created.id);
        },
      }}
    >
      <PatientForm>
        <RadioGroup
          aria-label={translate('dfy.patients.section_access')}
          value={mode}
          onChange={(e) => setMode(e.target.value as 'invite' | 'password')}
        >
          <FormControlLabel value="invite" control={<Radio />} label={translate('dfy.patients.invite')} />
          <FormControlLabel value="password" control={<Radio />} label={translate('dfy.patients.set_password')} />
        </RadioGroup>
        {mode === 'password' && (
          <PasswordInput source="password" validate={required()} autoComplete="new-password" sx={{ maxWidth: 400 }} />
        )}
      </PatientForm>
    </Create>
  );
}
