/**
 * Readings over time in the user's unit: the patient's target band shaded, the consensus
 * very-low/low/high/very-high lines dashed, times on the clinic's clock. The zoom shows the last
 * 1/3/7/14 days of the chosen window (a 90-day CGM trace is ~26 000 points: too many to read or draw).
 */
import {
  Box,
  Card,
  CardContent,
  CircularProgress,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
  useTheme,
} from '@mui/material';
import { useMemo, useState } from 'react';
import { useLocaleState, useTranslate } from 'react-admin';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { BAND_COLORS } from '../../glucose/colors';
import { roundForDisplay } from '../../glucose/units';
import { useGlucoseUnit } from '../../glucose/useGlucoseUnit';
import { formatDateTime, intlLocale } from '../../locale/time';
import { readingPoints, thresholdLines } from './chartData';
import { useReadingsRange } from './queries';
import { daysBetween, tailOf, windowInstants } from './window';

const ZOOMS = [1, 3, 7, 14] as const;

interface Props {
  patientId: number;
  from: string;
  to: string;
  timeZone: string;
  target: { low: number; high: number };
}

export function GlucoseChart({ patientId, from, to, timeZone, target }: Props) {
  const translate = useTranslate();
  const theme = useTheme();
  const [locale] = useLocaleState();
  const [unit] = useGlucoseUnit();
  const windowDays = daysBetween(from, to);
  const [zoom, setZoom] = useState<number>(3);
  const shown = tailOf({ from, to }, Math.min(zoom, windowDays));
  const range = windowInstants(shown, timeZone);
  const readings = useReadingsRange(patientId, range.from, range.to);
  const points = useMemo(() => readingPoints(readings.data?.readings ?? [], unit), [readings.data, unit]);
  const lines = thresholdLines(unit);
  const mode = theme.palette.mode === 'dark' ? 'dark' : 'light';
  const start = Date.parse(range.from);
  const end = Date.parse(range.to);
  // Ticks on the clinic's clock: every 3 hours when zoomed to a day, else at each local midnight.
  const ticks: number[] = [];
  const step = zoom <= 1 ? 3 * 3_600_000 : 86_400_000;
  for (let t = start; t <= end; t += step) ticks.push(t);
  const tick = (t: number) =>
    new Intl.DateTimeFormat(intlLocale(locale), {
      timeZone,
      ...(zoom <= 1 ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { day: '2-digit', month: '2-digit' }),
    }).format(new Date(t));
  return (
    <Card variant="outlined">
      <CardContent>
        <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: 1 }}>
          <Typography variant="subtitle1" component="h2">
            {translate('dfy.pp.glucose.chart_title')} · {unit}
          </Typography>
          <ToggleButtonGroup
            // Unselected toggles in MUI's default grey fall under 4.5:1; use the primary text colour.
            sx={{ '& .MuiToggleButton-root': { color: 'text.primary' } }}
            size="small"
            exclusive
            value={zoom}
            onChange={(_e, v: number | null) => v && setZoom(v)}
            aria-label={translate('dfy.pp.glucose.zoom')}
          >
            {ZOOMS.filter((z) => z === 1 || z <= windowDays).map((z) => (
              <ToggleButton key={z} value={z}>
                {translate('dfy.pp.glucose.zoom_days', { smart_count: z })}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        </Box>
        {readings.isPending ? (
          <Box role="status" sx={{ p: 4, display: 'flex', gap: 1, alignItems: 'center' }}>
            <CircularProgress size={20} /> {translate('dfy.pp.glucose.loading')}
          </Box>
        ) : points.length === 0 ? (
          <Typography role="status" sx={{ p: 4 }}>
            {translate('dfy.pp.glucose.empty')}
          </Typography>
        ) : (
          <Box
            role="img"
            aria-label={translate('dfy.pp.glucose.chart_aria', { smart_count: points.length })}
            data-testid="glucose-chart"
            data-points={points.length}
            sx={{ width: '100%', height: 320, mt: 1 }}
          >
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
                <XAxis
                  dataKey="t"
                  type="number"
                  scale="time"
                  domain={[start, end]}
                  ticks={ticks}
                  tickFormatter={tick}
                  stroke={theme.palette.text.secondary}
                />
                <YAxis
                  domain={[0, Math.max(roundForDisplay(300, unit), ...points.map((p) => p.v))]}
                  stroke={theme.palette.text.secondary}
                  width={48}
                />
                <ReferenceArea
                  y1={roundForDisplay(target.low, unit)}
                  y2={roundForDisplay(target.high, unit)}
                  fill={BAND_COLORS[mode].in_range}
                  fillOpacity={0.12}
                  ifOverflow="extendDomain"
                />
                <ReferenceLine y={lines.veryLow} stroke={BAND_COLORS[mode].very_low} strokeDasharray="4 4" />
                <ReferenceLine y={lines.low} stroke={BAND_COLORS[mode].low} strokeDasharray="4 4" />
                <ReferenceLine y={lines.high} stroke={BAND_COLORS[mode].high} strokeDasharray="4 4" />
                <ReferenceLine y={lines.veryHigh} stroke={BAND_COLORS[mode].very_high} strokeDasharray="4 4" />
                <Tooltip
                  labelFormatter={(t) => formatDateTime(new Date(Number(t)), locale, timeZone)}
                  formatter={(v) => [`${v} ${unit}`, '']}
                  separator=""
                  contentStyle={{ background: theme.palette.background.paper, color: theme.palette.text.primary }}
                />
                <Line
                  type="linear"
                  dataKey="v"
                  stroke={theme.palette.primary.main}
                  dot={points.length < 200 ? { r: 2 } : false}
                  isAnimationActive={false}
                  connectNulls={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
