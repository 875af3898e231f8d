/** My account (every staff member): who I am, my password, two-step verification and my sessions. */
import { Alert, CircularProgress, Stack, Typography } from '@mui/material';
import { Title, useTranslate } from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { MfaCard } from './MfaCard';
import { PasswordCard } from './PasswordCard';
import { problemText } from './problemText';
import { SessionsCard } from './SessionsCard';
import { useLoad } from './useLoad';

export function AccountPage() {
  const translate = useTranslate();
  const me = useLoad(async () => unwrap(await api.GET('/v1/me')));
  const staff = me.data && me.data.kind === 'staff' ? me.data : null;
  return (
    <Stack spacing={2} sx={{ mt: 2, maxWidth: 1000 }}>
      <Title title="dfy.account.title" />
      <Typography variant="h5" component="h1">
        {translate('dfy.account.title')}
      </Typography>
      {me.error ? <Alert severity="error">{translate(problemText(me.error))}</Alert> : null}
      {/* Cards stay mounted while `me` reloads, so the recovery codes are not lost on the refresh. */}
      {!staff && me.loading ? <CircularProgress aria-label={translate('dfy.common.loading')} /> : null}
      {staff && (
        <>
          <Typography variant="body1">
            {translate('dfy.account.signed_in_as', { name: staff.name, username: staff.username })}
          </Typography>
          <PasswordCard />
          <MfaCard enabled={staff.mfaEnabled} onChange={me.reload} />
          <SessionsCard />
        </>
      )}
    </Stack>
  );
}
