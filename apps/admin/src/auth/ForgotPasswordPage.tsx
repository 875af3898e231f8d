/** "Forgot password": always the same answer (the API never tells whether the address exists). */
import { Alert, Box, Button, CircularProgress, Stack, TextField } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link, useTranslate } from 'react-admin';
import { session } from '../api/client';
import { unwrap } from '../api/problem';
import { AuthShell, errorText } from './AuthShell';

export function ForgotPasswordPage() {
  const translate = useTranslate();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      unwrap(await session.client.POST('/v1/auth/password/forgot', { body: { email: email.trim() } }));
      setSent(true);
    } catch (err) {
      setError(errorText(err, translate));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthShell title="dfy.forgot.title">
      <Box component="form" onSubmit={submit} noValidate>
        <Stack spacing={2}>
          {error && (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          )}
          {sent ? (
            <Alert severity="success" role="status">
              {translate('dfy.forgot.sent')}
            </Alert>
          ) : (
            <>
              <Alert severity="info">{translate('dfy.forgot.help')}</Alert>
              <TextField
                label={translate('dfy.forgot.email')}
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                autoComplete="email"
                autoFocus
                required
                fullWidth
              />
              <Button type="submit" variant="contained" disabled={busy || !email.includes('@')}>
                {busy ? <CircularProgress size={22} /> : translate('dfy.forgot.submit')}
              </Button>
            </>
          )}
          <Link to="/login" variant="body2">
            {translate('dfy.forgot.back_to_sign_in')}
          </Link>
        </Stack>
      </Box>
    </AuthShell>
  );
}
