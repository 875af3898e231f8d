/**
 * Two-step verification (TOTP): enrol in three steps — confirm the password, scan the QR code (or
 * type the secret) and confirm with a code — then the recovery codes are shown once. When it is on,
 * turning it off takes the password and a code or recovery code (the API ends other sessions).
 */
import { Alert, Box, Button, Card, CardContent, Chip, Stack, TextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { fieldErrorsOf, problemText } from './problemText';
import { QrCode } from './QrCode';
import { RecoveryCodes } from './RecoveryCodes';

type Step =
  | { kind: 'idle' }
  | { kind: 'password' }
  | { kind: 'scan'; secret: string; uri: string }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'disable' };

export function MfaCard({ enabled, onChange }: { enabled: boolean; onChange: () => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function reset(next: Step) {
    setStep(next);
    setPassword('');
    setCode('');
    setErrors({});
    setFailure(null);
  }

  async function run(action: () => Promise<void>, fieldOf: Record<string, string>) {
    setBusy(true);
    setFailure(null);
    setErrors({});
    try {
      await action();
    } catch (err) {
      const fields = fieldErrorsOf(err);
      const problemCode = (err as { body?: { code?: string } }).body?.code ?? '';
      if (fieldOf[problemCode]) fields[fieldOf[problemCode]] = `dfy.errors.${problemCode}`;
      setErrors(fields);
      setFailure(problemText(err));
    } finally {
      setBusy(false);
    }
  }

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    void run(
      async () => {
        const setup = unwrap(await api.POST('/v1/auth/mfa/totp/setup', { body: { password } }));
        reset({ kind: 'scan', secret: setup.secret, uri: setup.otpauthUri });
      },
      { invalid_current_password: 'password' },
    );
  };
  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    void run(
      async () => {
        const { recoveryCodes } = unwrap(await api.POST('/v1/auth/mfa/totp/enable', { body: { code: code.trim() } }));
        reset({ kind: 'codes', codes: recoveryCodes });
        notify('dfy.account.mfa_enabled', { type: 'success' });
        onChange();
      },
      { invalid_mfa_code: 'code' },
    );
  };
  const submitDisable = (e: FormEvent) => {
    e.preventDefault();
    const typed = code.trim();
    // Six digits is an app code; anything else is taken as a recovery code.
    const second = /^\d{6}$/.test(typed) ? { code: typed } : { recoveryCode: typed };
    void run(
      async () => {
        unwrap(await api.POST('/v1/auth/mfa/totp/disable', { body: { password, ...second } }));
        reset({ kind: 'idle' });
        notify('dfy.account.mfa_disabled', { type: 'success' });
        onChange();
      },
      { invalid_current_password: 'password', invalid_mfa_code: 'code' },
    );
  };

  const passwordInput = (
    <TextField
      id="mfa-password"
      type="password"
      label={translate('dfy.account.current_password')}
      autoComplete="current-password"
      value={password}
      onChange={(e) => setPassword(e.target.value)}
      error={!!errors.password}
      helperText={errors.password ? translate(errors.password) : undefined}
      required
      fullWidth
      margin="dense"
      autoFocus
    />
  );
  const codeInput = (label: string, digitsOnly: boolean) => (
    <TextField
      id="mfa-code"
      label={translate(label)}
      autoComplete="one-time-code"
      value={code}
      onChange={(e) => setCode(e.target.value)}
      error={!!errors.code}
      helperText={errors.code ? translate(errors.code) : undefined}
      slotProps={{ htmlInput: digitsOnly ? { inputMode: 'numeric', maxLength: 6 } : {} }}
      required
      fullWidth
      margin="dense"
    />
  );
  const actions = (submitLabel: string, disabled: boolean) => (
    <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
      <Button type="submit" variant="contained" disabled={busy || disabled}>
        {translate(submitLabel)}
      </Button>
      <Button type="button" onClick={() => reset({ kind: 'idle' })} disabled={busy}>
        {translate('dfy.common.cancel')}
      </Button>
    </Stack>
  );

  return (
    <Card component="section" aria-labelledby="account-mfa-title">
      <CardContent>
        <Stack direction="row" spacing={1} alignItems="center" sx={{ mb: 1 }}>
          <Typography id="account-mfa-title" variant="h6" component="h2">
            {translate('dfy.account.mfa_title')}
          </Typography>
          <Chip
            size="small"
            // Outlined like the staff list's status chips: white text on the filled success colour
            // fails the contrast check (axe, serious).
            variant="outlined"
            color={enabled ? 'success' : 'default'}
            label={translate(enabled ? 'dfy.staff.mfa_on' : 'dfy.staff.mfa_off')}
          />
        </Stack>
        {failure && (
          <Alert severity="error" sx={{ mb: 1 }}>
            {translate(failure)}
          </Alert>
        )}
        {step.kind === 'idle' && (
          <>
            <Typography variant="body2" sx={{ mb: 1.5 }}>
              {translate(enabled ? 'dfy.account.mfa_on' : 'dfy.account.mfa_off')}
            </Typography>
            {enabled ? (
              <Button color="error" variant="outlined" onClick={() => reset({ kind: 'disable' })}>
                {translate('dfy.account.mfa_disable')}
              </Button>
            ) : (
              <Button variant="contained" onClick={() => reset({ kind: 'password' })}>
                {translate('dfy.account.mfa_start')}
              </Button>
            )}
          </>
        )}
        {step.kind === 'password' && (
          <Box component="form" onSubmit={submitPassword} noValidate sx={{ maxWidth: 420 }}>
            <Typography variant="body2">{translate('dfy.account.mfa_password_help')}</Typography>
            {passwordInput}
            {actions('dfy.account.mfa_continue', !password)}
          </Box>
        )}
        {step.kind === 'scan' && (
          <Box component="form" onSubmit={submitCode} noValidate sx={{ maxWidth: 520 }}>
            <Typography variant="body2" sx={{ mb: 1 }}>
              {translate('dfy.account.mfa_scan')}
            </Typography>
            <QrCode value={step.uri} label={translate('dfy.account.mfa_qr_label')} />
            <Typography variant="body2" sx={{ mt: 1 }}>
              {translate('dfy.account.mfa_secret')}
            </Typography>
            <Typography
              component="code"
              data-testid="totp-secret"
              sx={{ fontFamily: 'monospace', fontSize: '1.05rem', wordBreak: 'break-all', userSelect: 'all' }}
            >
              {step.secret}
            </Typography>
            {codeInput('dfy.account.mfa_code', true)}
            {actions('dfy.account.mfa_confirm', code.trim().length !== 6)}
          </Box>
        )}
        {step.kind === 'codes' && <RecoveryCodes codes={step.codes} onDone={() => reset({ kind: 'idle' })} />}
        {step.kind === 'disable' && (
          <Box component="form" onSubmit={submitDisable} noValidate sx={{ maxWidth: 420 }}>
            <Typography variant="body2">{translate('dfy.account.mfa_disable_help')}</Typography>
            {passwordInput}
            {codeInput('dfy.account.mfa_disable_code', false)}
            {actions('dfy.account.mfa_disable', !password || !code.trim())}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
