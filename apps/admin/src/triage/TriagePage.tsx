/**
 * Clinicians: patients ranked by need (`/v1/triage` tiers over the last 14 days), one API page per
 * screen page, with the reasons as chips (thresholds in the user's unit) and a click through to the
 * patient's summary.
 */
import {
  Alert,
  Box,
  Card,
  Chip,
  Link,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TablePagination,
  TableRow,
  Typography,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Title, useLocaleState, useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { BAND_COLORS, CONSENSUS } from '../glucose/colors';
import { formatGlucose } from '../glucose/units';
import { useGlucoseUnit } from '../glucose/useGlucoseUnit';
import { intlLocale } from '../locale/time';
import { formatPercent } from '../patients/show/format';

// Filled chips with white text on the light band colours: at least 4.5:1 in both themes (MUI's
// warning orange is not). "No recent data" stays a neutral chip.
const TIER_BG = {
  hypoglycemia: BAND_COLORS.light.low,
  no_recent_data: undefined,
  above_targets: BAND_COLORS.light.high,
  on_target: BAND_COLORS.light.in_range,
} as const;

export function TriagePage() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const [unit] = useGlucoseUnit();
  const [page, setPage] = useState(0);
  const [perPage, setPerPage] = useState(20);
  const triage = useQuery({
    queryKey: ['triage', page, perPage],
    queryFn: async () => unwrap(await api.GET('/v1/triage', { params: { query: { page: page + 1, perPage } } })),
  });
  // The API gives fractional days: whole days ago, "today" under one.
  const lastReading = (days: number | null) => {
    if (days === null) return translate('dfy.triage.never');
    const whole = Math.floor(days);
    return whole < 1 ? translate('dfy.triage.today') : translate('dfy.triage.days_ago', { smart_count: whole });
  };
  const g = (v: number) => formatGlucose(v, unit, intlLocale(locale));
  const thresholds = {
    v54: g(CONSENSUS.veryLow),
    v70: g(CONSENSUS.low),
    v180: g(CONSENSUS.high),
    v250: g(CONSENSUS.veryHigh),
  };
  return (
    <Box sx={{ mt: 2 }}>
      <Title title={translate('dfy.triage.title')} />
      <Typography variant="h5" component="h1">
        {translate('dfy.triage.title')}
      </Typography>
      {triage.data && (
        <Typography color="text.secondary" gutterBottom>
          {translate('dfy.triage.subtitle', { days: triage.data.windowDays })}
        </Typography>
      )}
      {triage.isError && <Alert severity="error">{translate('dfy.errors.server')}</Alert>}
      {triage.isPending && <Typography role="status">{translate('dfy.common.loading')}</Typography>}
      {triage.data && triage.data.data.length === 0 && (
        <Typography role="status">{translate('dfy.triage.empty')}</Typography>
      )}
      {triage.data && triage.data.data.length > 0 && (
        <Card variant="outlined">
          <TableContainer sx={{ overflowX: 'auto' }}>
            <Table size="small" data-testid="triage-table">
              <TableHead>
                <TableRow>
                  <TableCell>{translate('dfy.triage.rank')}</TableCell>
                  <TableCell>{translate('dfy.triage.patient')}</TableCell>
                  <TableCell>{translate('dfy.triage.tier')}</TableCell>
                  <TableCell>{translate('dfy.triage.reasons')}</TableCell>
                  <TableCell align="right">{translate('dfy.triage.in_range')}</TableCell>
                  <TableCell align="right">{translate('dfy.triage.below', { v: g(CONSENSUS.low) })}</TableCell>
                  <TableCell>{translate('dfy.triage.last_reading')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {triage.data.data.map((row) => {
                  const name = `${row.surname}, ${row.name}`;
                  const below =
                    row.percent.low === null && row.percent.veryLow === null
                      ? null
                      : (row.percent.low ?? 0) + (row.percent.veryLow ?? 0);
                  return (
                    <TableRow key={row.patientId} hover data-tier={row.tier}>
                      <TableCell>{row.rank}</TableCell>
                      <TableCell>
                        <Link
                          component={RouterLink}
                          to={`/patients/${row.patientId}/show?tab=summary`}
                          aria-label={translate('dfy.triage.open', { name })}
                        >
                          {name}
                        </Link>
                      </TableCell>
                      <TableCell>
                        <Chip
                          size="small"
                          sx={TIER_BG[row.tier] ? { bgcolor: TIER_BG[row.tier], color: '#fff' } : undefined}
                          label={translate(`dfy.triage.tiers.${row.tier}`)}
                        />
                      </TableCell>
                      <TableCell>
                        <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
                          {row.flags.map((f) => (
                            <Chip
                              key={f}
                              size="small"
                              variant="outlined"
                              label={translate(`dfy.triage.flags.${f}`, { _: f, ...thresholds })}
                            />
                          ))}
                        </Box>
                      </TableCell>
                      <TableCell align="right">{formatPercent(row.percent.inRange, locale)}</TableCell>
                      <TableCell align="right">{formatPercent(below, locale)}</TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{lastReading(row.daysSinceLastReading)}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
          <TablePagination
            component="div"
            count={triage.data.total}
            page={page}
            rowsPerPage={perPage}
            rowsPerPageOptions={[20, 50, 100]}
            onPageChange={(_e, p) => setPage(p)}
            onRowsPerPageChange={(e) => {
              setPerPage(Number(e.target.value));
              setPage(0);
            }}
            labelRowsPerPage={translate('ra.navigation.page_rows_per_page')}
          />
        </Card>
      )}
    </Box>
  );
}
