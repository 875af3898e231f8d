/**
 * Export (the API's streamed CSV/JSON for the applied filters, downloaded as a file) and "verify
 * chain" with its verdict shown in a banner that says plainly whether the trail is intact.
 */
import DownloadIcon from '@mui/icons-material/Download';
import VerifyIcon from '@mui/icons-material/VerifiedUser';
import { Alert, Button, CircularProgress, Stack } from '@mui/material';
import { useState } from 'react';
import { useLocaleState, useNotify, useTranslate } from 'react-admin';
import { problemText } from '../../account/problemText';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { formatDateTime } from '../../locale/time';
import type { AuditListQuery, AuditVerify } from './query';

function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AuditToolbar({ filters }: { filters: Omit<AuditListQuery, 'cursor' | 'limit'> }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const notify = useNotify();
  const [exporting, setExporting] = useState<'csv' | 'json' | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verdict, setVerdict] = useState<AuditVerify | null>(null);

  async function exportAs(format: 'csv' | 'json') {
    setExporting(format);
    try {
      const result = await api.GET('/v1/audit-events/export', {
        params: { query: { ...filters, format } },
        parseAs: 'blob',
      });
      const blob = unwrap(result) as unknown as Blob;
      const stamp = new Date().toISOString().slice(0, 10);
      saveBlob(blob, `${translate('dfy.audit.export_file')}-${stamp}.${format}`);
      notify('dfy.audit.exported', { type: 'success' });
    } catch (err) {
      notify(problemText(err), { type: 'error' });
    } finally {
      setExporting(null);
    }
  }

  async function verify() {
    setVerifying(true);
    setVerdict(null);
    try {
      setVerdict(unwrap(await api.GET('/v1/audit-events/verify')));
    } catch (err) {
      notify(problemText(err), { type: 'error' });
    } finally {
      setVerifying(false);
    }
  }

  const broken = verdict?.firstBroken;
  return (
    <Stack spacing={1.5} sx={{ mb: 2 }}>
      <Stack direction="row" spacing={1} flexWrap="wrap" useFlexGap>
        {(['csv', 'json'] as const).map((format) => (
          <Button
            key={format}
            variant="outlined"
            startIcon={exporting === format ? <CircularProgress size={16} /> : <DownloadIcon />}
            disabled={exporting !== null}
            onClick={() => exportAs(format)}
          >
            {translate(format === 'csv' ? 'dfy.audit.export_csv' : 'dfy.audit.export_json')}
          </Button>
        ))}
        <Button
          variant="contained"
          startIcon={verifying ? <CircularProgress size={16} color="inherit" /> : <VerifyIcon />}
          disabled={verifying}
          onClick={verify}
        >
          {translate(verifying ? 'dfy.audit.verifying' : 'dfy.audit.verify')}
        </Button>
      </Stack>
      {verdict && (
        <Alert severity={verdict.ok ? 'success' : 'error'} role="status" data-testid="audit-verdict">
          {verdict.ok
            ? translate('dfy.audit.verify_ok', {
                rows: verdict.checkedRows.toLocaleString(locale),
                shards: verdict.shards,
                at: formatDateTime(verdict.verifiedAt, locale),
              })
            : translate('dfy.audit.verify_broken', {
                id: broken?.id ?? '—',
                shard: broken?.chainShard ?? '—',
                seq: broken?.chainSeq ?? '—',
                reason: broken?.reason ?? '—',
              })}
        </Alert>
      )}
    </Stack>
  );
}
