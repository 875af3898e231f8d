/**
 * Create a staff account with its roles: an invitation e-mail (the person chooses the password) or
 * an initial password typed now (the server's policy applies and its errors land on the field).
 */
import { FormControlLabel, Radio, RadioGroup } from '@mui/material';
import { useState } from 'react';
import { Create, PasswordInput, required, useNotify, useRedirect, useTranslate } from 'react-admin';
import { problemText } from '../../account/problemText';
import type { StaffMember } from './data';
import { StaffForm } from './StaffForm';

export function StaffCreate() {
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
        onSuccess: (created: StaffMember) => {
          notify('dfy.staff.created', { type: 'success' });
          redirect('edit', 'staff', created.id);
        },
        onError: (err: unknown) => notify(problemText(err), { type: 'error' }),
      }}
    >
      <StaffForm mode="create">
        <RadioGroup
          aria-label={translate('resources.staff.fields.password')}
          value={mode}
          onChange={(e) => setMode(e.target.value as 'invite' | 'password')}
        >
          <FormControlLabel value="invite" control={<Radio />} label={translate('dfy.staff.invite')} />
          <FormControlLabel value="password" control={<Radio />} label={translate('dfy.staff.set_password')} />
        </RadioGroup>
        {mode === 'password' && (
          <PasswordInput
            source="password"
            validate={required()}
            autoComplete="new-password"
            helperText="dfy.staff.password_help"
            sx={{ maxWidth: 400 }}
          />
        )}
      </StaffForm>
    </Create>
  );
}
