/**
 * Reset (`/admin/reset-password#token=…`, legacy `?token=`) and invitation (`/admin/set-password`)
 * pages: the same API call, different words. The token is read from the fragment first (it never
 * reaches server logs), then removed from the address bar so it is not left in the history.
 */
import { Alert, Box, Button, CircularProgress, Stack, TextField } from '@mui/material';
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useTranslate } from 'react-admin';
import { session } from '../api/client';
import { unwrap } from '../api/problem';
import { AuthShell, errorText } from './AuthShell';

export function tokenFromLocation(loc: { hash: string; search: string }): string | null {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  if (fromHash) return fromHash;
  return new URLSearchParams(loc.search).get('token');
}

export function ResetPasswordPage({ mode }: { mode: 'reset' | 'set' }) {
  const translate = useTranslate();
  const token = useMemo(() => {
    const found = tokenFromLocation(window.location);
    if (found) window.history.replaceState(null, '', window.location.pathname);
    return found;
  }, []);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const mismatch = confirm !== '' && confirm !== password;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!token || mismatch) return;
    setBusy(true);
    setError(null);
    setFieldError(null);
    try {
      unwrap(await session.client.POST('/v1/auth/password/reset', { body: { token, newPassword: password } }));
      setDone(true);
    } catch (err) {
      const body = (err as { body?: { errors?: Record<string, string> } }).body;
      // toHttpError already turned the server's field message into a translation key.
      const field = body?.errors?.newPassword;
      if (field) setFieldError(translate(field));
      setError(errorText(err, translate));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthShell title={mode === 'set' ? 'dfy.reset.set_title' : 'dfy.reset.title'}>
      <Box component="form" onSubmit={submit} noValidate>
        <Stack spacing={2}>
          {!token && !done && (
            <Alert severity="error" role="alert">
              {translate('dfy.reset.missing_token')}
            </Alert>
          )}
          {error && (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          )}
          {done ? (
            <Alert severity="success" role="status">
              {translate('dfy.reset.done')}
            </Alert>
          ) : (
            token && (
              <>
                <Alert severity="info">
                  {mode === 'set' ? `${translate('dfy.reset.set_help')} ` : ''}
                  {translate('dfy.reset.policy')}
                </Alert>
                <TextField
                  label={translate('dfy.reset.new_password')}
                  type="password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  autoComplete="new-password"
                  error={Boolean(fieldError)}
                  helperText={fieldError ?? ' '}
                  autoFocus
                  required
                  fullWidth
                />
                <TextField
                  label={translate('dfy.reset.confirm_password')}
                  type="password"
                  value={confirm}
                  onChange={(e) => setConfirm(e.target.value)}
                  autoComplete="new-password"
                  error={mismatch}
                  helperText={mismatch ? translate('dfy.reset.mismatch') : ' '}
                  required
                  fullWidth
                />
                <Button type="submit" variant="contained" disabled={busy || !password || mismatch || confirm === ''}>
                  {busy ? <CircularProgress size={22} /> : translate('dfy.reset.submit')}
                </Button>
              </>
            )
          )}
          <Link to="/login" variant="body2">
            {translate('dfy.forgot.back_to_sign_in')}
          </Link>
        </Stack>
      </Box>
    </AuthShell>
  );
}
