/**
 * The ambulatory glucose profile of the window (5/25/50/75/95th percentiles per 15-minute bin of
 * the local day) and the daily profiles of the window's last days (small multiples on one scale).
 */
import { Alert, Box, Card, CardContent, CircularProgress, Typography, useTheme } from '@mui/material';
import { useMemo } from 'react';
import { useLocaleState, useTranslate } from 'react-admin';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  XAxis,
  YAxis,
} from 'recharts';
import { BAND_COLORS } from '../../glucose/colors';
import { roundForDisplay } from '../../glucose/units';
import { useGlucoseUnit } from '../../glucose/useGlucoseUnit';
import { formatDate, zoneName } from '../../locale/time';
import { agpRows, clockOf, dailyProfiles, thresholdLines } from './chartData';
import { useAgp, useReadingsRange } from './queries';
import { daysBetween, tailOf, windowInstants } from './window';

const DAILY_DAYS = 14;
const HOUR_TICKS = [0, 180, 360, 540, 720, 900, 1080, 1260, 1440];

interface Props {
  patientId: number;
  from: string;
  to: string;
  timeZone: string;
}

export function AgpTab({ patientId, from, to, timeZone }: Props) {
  const translate = useTranslate();
  const theme = useTheme();
  const [unit] = useGlucoseUnit();
  const agp = useAgp(patientId, from, to, timeZone);
  const rows = useMemo(() => (agp.data ? agpRows(agp.data.bins, unit) : []), [agp.data, unit]);
  const mode = theme.palette.mode === 'dark' ? 'dark' : 'light';
  const lines = thresholdLines(unit);
  const yMax = roundForDisplay(350, unit);
  if (agp.isPending) {
    return (
      <Box role="status" sx={{ p: 2, display: 'flex', gap: 1 }}>
        <CircularProgress size={20} /> {translate('dfy.common.loading')}
      </Box>
    );
  }
  if (agp.isError) return <Alert severity="error">{translate('dfy.errors.server')}</Alert>;
  const hasData = rows.some((r) => r.median !== null);
  const zone = zoneName(new Date(), 'es', timeZone);
  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h2">
            {translate('dfy.pp.agp.title')} · {unit}
          </Typography>
          {!hasData ? (
            <Typography role="status" sx={{ p: 2 }}>
              {translate('dfy.pp.agp.empty')}
            </Typography>
          ) : (
            <>
              <Box
                role="img"
                aria-label={translate('dfy.pp.agp.aria', { days: agp.data.daysWithData })}
                data-testid="agp-chart"
                sx={{ width: '100%', height: 340 }}
              >
                <ResponsiveContainer width="100%" height="100%">
                  <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
                    <XAxis
                      dataKey="minute"
                      type="number"
                      domain={[0, 1440]}
                      ticks={HOUR_TICKS}
                      tickFormatter={clockOf}
                      stroke={theme.palette.text.secondary}
                    />
                    <YAxis domain={[0, yMax]} width={48} stroke={theme.palette.text.secondary} />
                    <ReferenceArea y1={lines.low} y2={lines.high} fill={BAND_COLORS[mode].in_range} fillOpacity={0.1} />
                    <ReferenceLine y={lines.veryLow} stroke={BAND_COLORS[mode].very_low} strokeDasharray="4 4" />
                    <ReferenceLine y={lines.low} stroke={BAND_COLORS[mode].low} strokeDasharray="4 4" />
                    <ReferenceLine y={lines.high} stroke={BAND_COLORS[mode].high} strokeDasharray="4 4" />
                    <ReferenceLine y={lines.veryHigh} stroke={BAND_COLORS[mode].very_high} strokeDasharray="4 4" />
                    <Area
                      dataKey="outer"
                      name={translate('dfy.pp.agp.p5_95')}
                      stroke="none"
                      fill={theme.palette.primary.light}
                      fillOpacity={0.3}
                      isAnimationActive={false}
                      connectNulls={false}
                    />
                    <Area
                      dataKey="inner"
                      name={translate('dfy.pp.agp.p25_75')}
                      stroke="none"
                      fill={theme.palette.primary.main}
                      fillOpacity={0.45}
                      isAnimationActive={false}
                      connectNulls={false}
                    />
                    <Line
                      dataKey="median"
                      name={translate('dfy.pp.agp.median')}
                      stroke={theme.palette.primary.dark}
                      strokeWidth={2}
                      dot={false}
                      isAnimationActive={false}
                      connectNulls={false}
                    />
                    <Legend />
                  </ComposedChart>
                </ResponsiveContainer>
              </Box>
              <Typography variant="caption" color="text.secondary">
                {translate('dfy.pp.agp.hour', { zone })} ·{' '}
                {translate('dfy.pp.agp.note', { count: agp.data.count, days: agp.data.daysWithData })}
              </Typography>
            </>
          )}
        </CardContent>
      </Card>
      <DailyProfiles patientId={patientId} from={from} to={to} timeZone={timeZone} yMax={yMax} />
    </Box>
  );
}

function DailyProfiles({ patientId, from, to, timeZone, yMax }: Props & { yMax: number }) {
  const translate = useTranslate();
  const theme = useTheme();
  const [locale] = useLocaleState();
  const [unit] = useGlucoseUnit();
  const days = Math.min(DAILY_DAYS, daysBetween(from, to));
  const range = windowInstants(tailOf({ from, to }, days), timeZone);
  const readings = useReadingsRange(patientId, range.from, range.to);
  const profiles = useMemo(
    () => dailyProfiles(readings.data?.readings ?? [], unit, timeZone),
    [readings.data, unit, timeZone],
  );
  const lines = thresholdLines(unit);
  const mode = theme.palette.mode === 'dark' ? 'dark' : 'light';
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" component="h2">
          {translate('dfy.pp.agp.daily_title')}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {translate('dfy.pp.agp.daily_note', { smart_count: days })}
        </Typography>
        {readings.isPending ? (
          <Box role="status" sx={{ p: 2 }}>
            <CircularProgress size={20} />
          </Box>
        ) : profiles.length === 0 ? (
          <Typography role="status">{translate('dfy.pp.glucose.empty')}</Typography>
        ) : (
          <Box
            sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: 'repeat(2, 1fr)', md: 'repeat(7, 1fr)' }, mt: 1 }}
          >
            {profiles.map((p) => (
              <Box
                key={p.date}
                role="img"
                data-testid="daily-profile"
                aria-label={translate('dfy.pp.agp.daily_aria', {
                  date: formatDate(p.date, locale),
                  smart_count: p.points.length,
                })}
              >
                <Typography variant="caption">{formatDate(p.date, locale)}</Typography>
                <Box sx={{ height: 90 }}>
                  <ResponsiveContainer width="100%" height="100%">
                    <LineChart data={p.points} margin={{ top: 2, right: 2, bottom: 2, left: 2 }}>
                      <XAxis dataKey="minute" type="number" domain={[0, 1440]} hide />
                      <YAxis domain={[0, yMax]} hide />
                      <ReferenceArea
                        y1={lines.low}
                        y2={lines.high}
                        fill={BAND_COLORS[mode].in_range}
                        fillOpacity={0.15}
                      />
                      <Line
                        dataKey="v"
                        stroke={theme.palette.primary.main}
                        dot={false}
                        isAnimationActive={false}
                        strokeWidth={1}
                      />
                    </LineChart>
                  </ResponsiveContainer>
                </Box>
              </Box>
            ))}
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
