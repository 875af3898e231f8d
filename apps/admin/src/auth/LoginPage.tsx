/**
 * Sign-in: identifier + password, then — when the account has MFA — a TOTP code or a recovery code.
 * Errors are shown in the form (role="alert") in the user's language.
 */
import { Alert, Box, Button, CircularProgress, Stack, TextField } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link, useLogin, useTranslate } from 'react-admin';
import { AuthShell, errorText } from './AuthShell';
import { MfaRequiredError } from './authProvider';

type Step = { kind: 'password' } | { kind: 'mfa'; mfaToken: string; recovery: boolean };

export function LoginPage() {
  const translate = useTranslate();
  const login = useLogin();
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (step.kind === 'password') {
        await login({ identifier: identifier.trim(), password });
      } else {
        const value = code.trim();
        await login(
          step.recovery ? { mfaToken: step.mfaToken, recoveryCode: value } : { mfaToken: step.mfaToken, code: value },
        );
      }
    } catch (err) {
      if (err instanceof MfaRequiredError) {
        setStep({ kind: 'mfa', mfaToken: err.mfaToken, recovery: false });
        setPassword('');
      } else {
        const status = (err as { status?: number }).status;
        // An expired or spent MFA challenge cannot be retried: start again from the password.
        if (
          step.kind === 'mfa' &&
          status === 401 &&
          (err as { body?: { code?: string } }).body?.code !== 'invalid_mfa_code'
        ) {
          setStep({ kind: 'password' });
          setError(translate('dfy.auth.mfa_expired'));
        } else {
          setError(errorText(err, translate));
        }
      }
    } finally {
      setBusy(false);
      setCode('');
    }
  }

  const mfa = step.kind === 'mfa' ? step : null;
  return (
    <AuthShell title={mfa ? 'dfy.auth.mfa_title' : 'dfy.auth.sign_in_title'}>
      <Box component="form" onSubmit={submit} noValidate>
        <Stack spacing={2}>
          {error && (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          )}
          {mfa ? (
            <>
              <Alert severity="info">{translate(mfa.recovery ? 'dfy.auth.recovery_help' : 'dfy.auth.mfa_help')}</Alert>
              <TextField
                key={mfa.recovery ? 'recovery' : 'code'}
                label={translate(mfa.recovery ? 'dfy.auth.recovery_code' : 'dfy.auth.code')}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                autoComplete="one-time-code"
                slotProps={{ htmlInput: mfa.recovery ? {} : { inputMode: 'numeric', pattern: '[0-9]*', maxLength: 6 } }}
                autoFocus
                required
                fullWidth
              />
              <Button type="submit" variant="contained" disabled={busy || code.trim() === ''}>
                {busy ? <CircularProgress size={22} /> : translate('dfy.auth.verify')}
              </Button>
              <Stack direction="row" justifyContent="space-between">
                <Button size="small" onClick={() => setStep({ ...mfa, recovery: !mfa.recovery })}>
                  {translate(mfa.recovery ? 'dfy.auth.use_code' : 'dfy.auth.use_recovery')}
                </Button>
                <Button size="small" onClick={() => setStep({ kind: 'password' })}>
                  {translate('dfy.auth.back')}
                </Button>
              </Stack>
            </>
          ) : (
            <>
              <TextField
                label={translate('dfy.auth.identifier')}
                name="identifier"
                value={identifier}
                onChange={(e) => setIdentifier(e.target.value)}
                autoComplete="username"
                autoFocus
                required
                fullWidth
              />
              <TextField
                label={translate('dfy.auth.password')}
                name="password"
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="current-password"
                required
                fullWidth
              />
              <Button type="submit" variant="contained" disabled={busy || !identifier.trim() || !password}>
                {busy ? <CircularProgress size={22} /> : translate('dfy.auth.sign_in')}
              </Button>
              <Link to="/forgot-password" variant="body2">
                {translate('dfy.auth.forgot_link')}
              </Link>
            </>
          )}
        </Stack>
      </Box>
    </AuthShell>
  );
}
