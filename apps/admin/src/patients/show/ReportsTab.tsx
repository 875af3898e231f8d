/** Downloads for the chosen window: CSV, the PDF clinician report (in the screen's language), FHIR. */
import DownloadIcon from '@mui/icons-material/Download';
import { Alert, Box, Button, Card, CardContent, LinearProgress, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { useLocaleState, useTranslate } from 'react-admin';
import { intlLocale } from '../../locale/time';
import { downloadFile, formatBytes } from './download';
import { daysBetween } from './window';

type Format = 'csv' | 'pdf' | 'fhir';
const FORMATS: Format[] = ['csv', 'pdf', 'fhir'];
const EXT: Record<Format, string> = { csv: 'csv', pdf: 'pdf', fhir: 'json' };

interface State {
  busy: boolean;
  bytes: number;
  done: boolean;
  failed: boolean;
}

export function ReportsTab({ patientId, from, to }: { patientId: number; from: string; to: string }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const [state, setState] = useState<Partial<Record<Format, State>>>({});
  const pdfTooLong = daysBetween(from, to) > 90;

  async function start(format: Format) {
    const query = new URLSearchParams({
      format,
      from,
      to,
      ...(format === 'pdf' ? { lang: locale === 'en' ? 'en' : 'es' } : {}),
    });
    const set = (s: State) => setState((prev) => ({ ...prev, [format]: s }));
    set({ busy: true, bytes: 0, done: false, failed: false });
    try {
      const { bytes } = await downloadFile(
        `/v1/patients/${patientId}/readings/export?${query}`,
        `patient-${patientId}-${from}_${to}.${EXT[format]}`,
        (b) => set({ busy: true, bytes: b, done: false, failed: false }),
      );
      set({ busy: false, bytes, done: true, failed: false });
    } catch {
      set({ busy: false, bytes: 0, done: false, failed: true });
    }
  }

  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" component="h2" gutterBottom>
          {translate('dfy.pp.reports.title')}
        </Typography>
        <Stack spacing={2}>
          {FORMATS.map((f) => {
            const s = state[f];
            const disabled = s?.busy || (f === 'pdf' && pdfTooLong);
            return (
              <Box key={f} data-report={f}>
                <Stack direction="row" spacing={2} alignItems="center" flexWrap="wrap" useFlexGap>
                  <Typography sx={{ minWidth: 220 }}>{translate(`dfy.pp.reports.${f}`)}</Typography>
                  <Button variant="outlined" startIcon={<DownloadIcon />} onClick={() => start(f)} disabled={disabled}>
                    {translate('dfy.pp.reports.download')}
                    <Box
                      component="span"
                      sx={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}
                    >
                      {` ${translate(`dfy.pp.reports.${f}`)}`}
                    </Box>
                  </Button>
                  <Typography role="status" variant="body2" color={s?.failed ? 'error' : 'text.secondary'}>
                    {s?.busy &&
                      translate('dfy.pp.reports.progress', { size: formatBytes(s.bytes, intlLocale(locale)) })}
                    {s?.done && translate('dfy.pp.reports.done', { size: formatBytes(s.bytes, intlLocale(locale)) })}
                    {s?.failed && translate('dfy.pp.reports.failed')}
                  </Typography>
                </Stack>
                {s?.busy && <LinearProgress sx={{ mt: 1 }} aria-label={translate(`dfy.pp.reports.${f}`)} />}
              </Box>
            );
          })}
          {pdfTooLong && <Alert severity="info">{translate('dfy.pp.reports.pdf_limit')}</Alert>}
          <Typography variant="caption" color="text.secondary">
            {translate('dfy.pp.reports.lang_note')}
          </Typography>
        </Stack>
      </CardContent>
    </Card>
  );
}
