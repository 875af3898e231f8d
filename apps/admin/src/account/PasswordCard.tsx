/**
 * Change my password: current + new (+ repeat). Policy refusals from the server land on the field
 * they concern, in the user's language (the API's per-field messages mapped by `unwrap`).
 */
import { Alert, Box, Button, Card, CardContent, CircularProgress, TextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { fieldErrorsOf, problemText } from './problemText';

type Fields = 'currentPassword' | 'newPassword' | 'confirm';

export function PasswordCard() {
  const translate = useTranslate();
  const notify = useNotify();
  const [values, setValues] = useState<Record<Fields, string>>({ currentPassword: '', newPassword: '', confirm: '' });
  const [errors, setErrors] = useState<Partial<Record<Fields, string>>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const input = (name: Fields, label: string, autoComplete: string, help?: string) => (
    <TextField
      id={`account-${name}`}
      name={name}
      type="password"
      label={translate(label)}
      value={values[name]}
      autoComplete={autoComplete}
      required
      fullWidth
      margin="dense"
      error={!!errors[name]}
      helperText={errors[name] ? translate(errors[name] as string) : help}
      onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
    />
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFailure(null);
    if (values.newPassword !== values.confirm) {
      setErrors({ confirm: 'dfy.account.mismatch' });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      unwrap(
        await api.POST('/v1/auth/password/change', {
          body: { currentPassword: values.currentPassword, newPassword: values.newPassword },
        }),
      );
      setValues({ currentPassword: '', newPassword: '', confirm: '' });
      notify('dfy.account.password_changed', { type: 'success' });
    } catch (err) {
      const fields = fieldErrorsOf(err);
      const code = (err as { body?: { code?: string } }).body?.code;
      // A wrong current password is that field's problem, not the form's.
      if (code === 'invalid_current_password') fields.currentPassword = 'dfy.errors.invalid_current_password';
      setErrors(fields);
      setFailure(problemText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card component="section" aria-labelledby="account-password-title">
      <CardContent>
        <Typography id="account-password-title" variant="h6" component="h2" gutterBottom>
          {translate('dfy.account.password_title')}
        </Typography>
        <Box component="form" onSubmit={submit} noValidate sx={{ maxWidth: 420 }}>
          {failure && (
            <Alert severity="error" sx={{ mb: 1 }}>
              {translate(failure)}
            </Alert>
          )}
          {input('currentPassword', 'dfy.account.current_password', 'current-password')}
          {input('newPassword', 'dfy.account.new_password', 'new-password', translate('dfy.account.password_policy'))}
          {input('confirm', 'dfy.account.confirm_password', 'new-password')}
          <Button
            type="submit"
            variant="contained"
            disabled={busy || !values.currentPassword || !values.newPassword}
            startIcon={busy ? <CircularProgress size={16} color="inherit" /> : undefined}
            sx={{ mt: 1 }}
          >
            {translate('dfy.account.change_password')}
          </Button>
        </Box>
      </CardContent>
    </Card>
  );
}
