/**
 * My sessions: device, IP, start and last use, the current one marked. Another session can be
 * ended (with confirmation); "sign out everywhere" ends them all, this one included.
 */
import LogoutAllIcon from '@mui/icons-material/PhonelinkErase';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  CircularProgress,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { Confirm, useAuthProvider, useLocaleState, useLogout, useNotify, useTranslate } from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { DiabetifyAuthProvider } from '../auth/authProvider';
import { formatDateTime } from '../locale/time';
import { deviceName } from './device';
import { problemText } from './problemText';
import { useLoad } from './useLoad';

const HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

export function SessionsCard() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const notify = useNotify();
  const logout = useLogout();
  const authProvider = useAuthProvider() as DiabetifyAuthProvider | undefined;
  const { data, loading, error, reload } = useLoad(async () => unwrap(await api.GET('/v1/auth/sessions')).data);
  const [revoking, setRevoking] = useState<{ id: string; device: string } | null>(null);
  const [everywhere, setEverywhere] = useState(false);
  const [busy, setBusy] = useState(false);

  async function revoke() {
    if (!revoking) return;
    setBusy(true);
    try {
      unwrap(await api.DELETE('/v1/auth/sessions/{id}', { params: { path: { id: revoking.id } } }));
      notify('dfy.account.revoked', { type: 'success' });
      reload();
    } catch (err) {
      notify(problemText(err), { type: 'error' });
    } finally {
      setBusy(false);
      setRevoking(null);
    }
  }

  async function signOutEverywhere() {
    setEverywhere(false);
    try {
      const revoked = (await authProvider?.logoutEverywhere()) ?? 0;
      notify('dfy.auth.logout_everywhere_done', { messageArgs: { smart_count: revoked } });
    } catch (err) {
      notify(problemText(err), { type: 'error' });
    } finally {
      await logout({}, '/login', false);
    }
  }

  // The current session first, then by last use.
  const rows = [...(data ?? [])].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt),
  );
  return (
    <Card component="section" aria-labelledby="account-sessions-title">
      <CardContent>
        <Stack direction="row" justifyContent="space-between" alignItems="center" flexWrap="wrap" sx={{ mb: 1 }}>
          <Typography id="account-sessions-title" variant="h6" component="h2">
            {translate('dfy.account.sessions_title')}
          </Typography>
          <Button color="error" variant="outlined" startIcon={<LogoutAllIcon />} onClick={() => setEverywhere(true)}>
            {translate('dfy.account.sign_out_everywhere')}
          </Button>
        </Stack>
        {error ? <Alert severity="error">{translate(problemText(error))}</Alert> : null}
        {loading && !data ? <CircularProgress size={24} aria-label={translate('dfy.common.loading')} /> : null}
        {data && (
          <TableContainer sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-labelledby="account-sessions-title">
              <TableHead>
                <TableRow>
                  <TableCell>{translate('dfy.account.device')}</TableCell>
                  <TableCell>{translate('dfy.account.ip')}</TableCell>
                  <TableCell>{translate('dfy.account.started')}</TableCell>
                  <TableCell>{translate('dfy.account.last_used')}</TableCell>
                  <TableCell>
                    {/* Visually hidden: a header with no name confuses screen readers. */}
                    <Box component="span" sx={HIDDEN}>
                      {translate('dfy.account.revoke')}
                    </Box>
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map((s) => {
                  const device = deviceName(s.userAgent) ?? translate('dfy.account.unknown_device');
                  return (
                    <TableRow key={s.id} data-session={s.id} selected={s.current}>
                      <TableCell title={s.userAgent ?? undefined}>
                        <Stack direction="row" spacing={1} alignItems="center">
                          <span>{device}</span>
                          {s.current && <Chip size="small" color="primary" label={translate('dfy.account.current')} />}
                        </Stack>
                      </TableCell>
                      <TableCell>{s.ip ?? '—'}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(s.createdAt, locale)}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(s.lastUsedAt, locale)}</TableCell>
                      <TableCell>
                        {!s.current && (
                          <Button
                            size="small"
                            color="error"
                            aria-label={translate('dfy.account.revoke_label', { device })}
                            onClick={() => setRevoking({ id: s.id, device })}
                          >
                            {translate('dfy.account.revoke')}
                          </Button>
                        )}
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
            {rows.length <= 1 && (
              <Typography variant="body2" color="text.secondary" role="status" sx={{ p: 1.5 }}>
                {translate('dfy.account.no_sessions')}
              </Typography>
            )}
          </TableContainer>
        )}
        <Confirm
          isOpen={revoking !== null}
          loading={busy}
          title="dfy.account.revoke_title"
          content="dfy.account.revoke_content"
          confirm="dfy.account.revoke"
          confirmColor="warning"
          onConfirm={revoke}
          onClose={() => setRevoking(null)}
        />
        <Confirm
          isOpen={everywhere}
          title="dfy.auth.logout_everywhere"
          content="dfy.auth.logout_everywhere_confirm"
          onConfirm={signOutEverywhere}
          onClose={() => setEverywhere(false)}
        />
      </CardContent>
    </Card>
  );
}
