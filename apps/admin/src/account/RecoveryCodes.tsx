/** The recovery codes, shown once right after enrolment, with a warning and a copy button. */
import CopyIcon from '@mui/icons-material/ContentCopy';
import { Alert, Box, Button, Stack, Typography } from '@mui/material';
import { useNotify, useTranslate } from 'react-admin';

export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const translate = useTranslate();
  const notify = useNotify();
  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      notify('dfy.account.recovery_copied', { type: 'success' });
    } catch {
      // No clipboard permission (e.g. an insecure origin): the codes stay visible to copy by hand.
      notify('dfy.errors.not_supported', { type: 'warning' });
    }
  }
  return (
    <Box>
      <Typography variant="subtitle1" component="h3" gutterBottom>
        {translate('dfy.account.recovery_title')}
      </Typography>
      <Alert severity="warning" sx={{ mb: 1.5 }}>
        {translate('dfy.account.recovery_warning')}
      </Alert>
      <Box
        component="ul"
        aria-label={translate('dfy.account.recovery_title')}
        data-testid="recovery-codes"
        sx={{
          listStyle: 'none',
          p: 1.5,
          m: 0,
          mb: 1.5,
          display: 'grid',
          gridTemplateColumns: 'repeat(2, max-content)',
          columnGap: 4,
          rowGap: 0.5,
          fontFamily: 'monospace',
          fontSize: '1.05rem',
          bgcolor: 'action.hover',
          borderRadius: 1,
        }}
      >
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </Box>
      <Stack direction="row" spacing={1}>
        <Button variant="outlined" startIcon={<CopyIcon />} onClick={copy}>
          {translate('dfy.account.recovery_copy')}
        </Button>
        <Button variant="contained" onClick={onDone}>
          {translate('dfy.account.recovery_done')}
        </Button>
      </Stack>
    </Box>
  );
}
