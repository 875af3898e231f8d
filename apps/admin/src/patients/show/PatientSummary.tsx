/**
 * The consensus statistics of one window (clinical.md): the five-band time-in-range bar, mean, SD,
 * CV, GMI, sensor time, sufficiency with its reasons, episodes, and each number against the previous
 * window. Reusable: it takes the patient and the window, nothing from the page around it (the
 * appointment page mounts it too).
 */
import { Alert, Box, Card, CardContent, Chip, CircularProgress, Stack, Typography, useTheme } from '@mui/material';
import { useLocaleState, useTranslate } from 'react-admin';
import { BAND_COLORS } from '../../glucose/colors';
import { formatGlucose } from '../../glucose/units';
import { useGlucoseUnit } from '../../glucose/useGlucoseUnit';
import { intlLocale } from '../../locale/time';
import { BAND_COLOR_KEY, type Stats, thresholdLines, tirSegments } from './chartData';
import { DeltaBadge } from './DeltaBadge';
import { deltaOf, formatSigned, type Goal } from './delta';
import { formatGlucoseDiff, formatNumber, formatPercent, hoursMinutes } from './format';
import { useStats } from './queries';

export interface PatientSummaryProps {
  patientId: number;
  /** Inclusive calendar days, YYYY-MM-DD, read in `timeZone`. */
  from: string;
  to: string;
  timeZone: string;
}

export function PatientSummary({ patientId, from, to, timeZone }: PatientSummaryProps) {
  const translate = useTranslate();
  const stats = useStats(patientId, from, to, timeZone);
  if (stats.isPending) {
    return (
      <Box role="status" sx={{ display: 'flex', gap: 1, alignItems: 'center', p: 2 }}>
        <CircularProgress size={20} /> {translate('dfy.common.loading')}
      </Box>
    );
  }
  if (stats.isError) return <Alert severity="error">{translate('dfy.pp.summary.error')}</Alert>;
  return <SummaryView stats={stats.data} />;
}

export function SummaryView({ stats }: { stats: Stats }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const [unit] = useGlucoseUnit();
  const prev = stats.previous;
  const g = (v: number | null) => formatGlucose(v, unit, intlLocale(locale));
  const pctDelta = (cur: number | null, old: number | null, goal: Goal) => {
    const d = deltaOf(cur, old, goal);
    return <DeltaBadge delta={d} text={d.diff === null ? '' : `${formatSigned(d.diff, intlLocale(locale))} %`} />;
  };
  const glucoseDelta = (cur: number | null, old: number | null, goal: Goal) => {
    const d = deltaOf(cur, old, goal, 0.5);
    return <DeltaBadge delta={d} text={d.diff === null ? '' : formatGlucoseDiff(d.diff, unit, locale)} />;
  };
  return (
    <Stack spacing={2} data-testid="patient-summary">
      <TirBar stats={stats} />
      {stats.count === 0 && (
        <Alert severity="info" role="status">
          {translate('dfy.pp.summary.empty')}
        </Alert>
      )}
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr 1fr', md: 'repeat(4, 1fr)' } }}>
        <Metric id="mean" label="dfy.pp.summary.mean" value={g(stats.meanMgDl)}>
          {glucoseDelta(stats.meanMgDl, prev.meanMgDl, 'none')}
        </Metric>
        <Metric id="sd" label="dfy.pp.summary.sd" value={g(stats.sdMgDl)}>
          {glucoseDelta(stats.sdMgDl, prev.sdMgDl, 'lower')}
        </Metric>
        <Metric id="cv" label="dfy.pp.summary.cv" value={formatPercent(stats.cvPercent, locale)}>
          {stats.cvStable !== null && (
            <Typography variant="caption" display="block">
              {translate(stats.cvStable ? 'dfy.pp.summary.cv_stable' : 'dfy.pp.summary.cv_unstable')}
            </Typography>
          )}
          {pctDelta(stats.cvPercent, prev.cvPercent, 'lower')}
        </Metric>
        <Metric
          id="gmi"
          label="dfy.pp.summary.gmi"
          value={
            stats.gmi
              ? `${formatPercent(stats.gmi.percent, locale)} (${formatNumber(stats.gmi.mmolPerMol, locale)} mmol/mol)`
              : '—'
          }
        >
          {stats.gmi ? (
            pctDelta(stats.gmi.percent, prev.gmi?.percent ?? null, 'lower')
          ) : (
            <Typography variant="caption">{translate('dfy.pp.summary.gmi_blank')}</Typography>
          )}
        </Metric>
        <Metric
          id="active"
          label="dfy.pp.summary.active"
          value={formatPercent(stats.sufficiency.percentActive, locale)}
        >
          {pctDelta(stats.sufficiency.percentActive, prev.sufficiency.percentActive, 'higher')}
        </Metric>
        <Metric id="readings" label="dfy.pp.summary.readings" value={formatNumber(stats.count, locale)}>
          <Typography variant="caption">
            {translate('dfy.pp.summary.per_day', { value: formatNumber(stats.readingsPerDay.average, locale, 1) })}
          </Typography>
        </Metric>
        <Metric
          id="days"
          label="dfy.pp.summary.days_with_data"
          value={`${formatNumber(stats.sufficiency.daysWithData, locale)} / ${formatNumber(stats.sufficiency.windowDays, locale)}`}
        />
      </Box>
      <Sufficiency stats={stats} />
      <Episodes stats={stats} />
    </Stack>
  );
}

function Metric({
  id,
  label,
  value,
  children,
}: {
  id: string;
  label: string;
  value: string;
  children?: React.ReactNode;
}) {
  const translate = useTranslate();
  return (
    <Card variant="outlined" data-metric={id}>
      <CardContent>
        <Typography variant="body2" color="text.secondary" component="h3">
          {translate(label)}
        </Typography>
        <Typography variant="h6" component="p" data-testid={`metric-${id}`}>
          {value}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

function TirBar({ stats }: { stats: Stats }) {
  const translate = useTranslate();
  const theme = useTheme();
  const [locale] = useLocaleState();
  const [unit] = useGlucoseUnit();
  const mode = theme.palette.mode === 'dark' ? 'dark' : 'light';
  const t = thresholdLines(unit);
  const n = (v: number) => formatNumber(v, locale, unit === 'mg/dL' ? 0 : 1);
  const labels = {
    veryLow: translate('dfy.pp.bands.veryLow', { v: n(t.veryLow) }),
    low: translate('dfy.pp.bands.low', { a: n(t.veryLow), b: n(t.low) }),
    inRange: translate('dfy.pp.bands.inRange', { a: n(t.low), b: n(t.high) }),
    high: translate('dfy.pp.bands.high', { a: n(t.high), b: n(t.veryHigh) }),
    veryHigh: translate('dfy.pp.bands.veryHigh', { v: n(t.veryHigh) }),
  };
  const segments = tirSegments(stats.bands);
  // The bar is drawn very high at the top, as in the consensus report; the legend reads the same way.
  const topDown = [...segments].reverse();
  const aria = topDown.map((s) => `${labels[s.key]} ${formatPercent(s.percent, locale)}`).join(', ');
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" component="h2" gutterBottom>
          {translate('dfy.pp.summary.tir_title')} · {unit}
        </Typography>
        <Stack direction="row" spacing={3} alignItems="stretch">
          <Box
            role="img"
            aria-label={translate('dfy.pp.summary.tir_aria', { text: aria })}
            data-testid="tir-bar"
            sx={{
              width: 48,
              minHeight: 220,
              display: 'flex',
              flexDirection: 'column',
              border: 1,
              borderColor: 'divider',
            }}
          >
            {topDown.map((s) => (
              <Box
                key={s.key}
                data-band={s.key}
                sx={{
                  flexGrow: s.percent,
                  flexBasis: 0,
                  bgcolor: BAND_COLORS[mode][BAND_COLOR_KEY[s.key]],
                  minHeight: s.percent > 0 ? 2 : 0,
                }}
              />
            ))}
          </Box>
          <Stack spacing={1} sx={{ flex: 1 }} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {topDown.map((s) => {
              const hm = hoursMinutes(s.minutes);
              const old = stats.previous.bands[s.key].percent;
              const goal: Goal = s.key === 'inRange' ? 'higher' : 'lower';
              const d = deltaOf(stats.bands[s.key].percent, old, goal);
              return (
                <Box
                  component="li"
                  key={s.key}
                  data-band-row={s.key}
                  sx={{ display: 'flex', gap: 1, alignItems: 'baseline', flexWrap: 'wrap' }}
                >
                  <Box
                    sx={{ width: 12, height: 12, bgcolor: BAND_COLORS[mode][BAND_COLOR_KEY[s.key]], flexShrink: 0 }}
                    aria-hidden
                  />
                  <Typography sx={{ minWidth: 180 }}>{labels[s.key]}</Typography>
                  <Typography sx={{ fontWeight: 600, minWidth: 70 }} data-testid={`band-${s.key}`}>
                    {formatPercent(stats.bands[s.key].percent, locale)}
                  </Typography>
                  {hm && (
                    <Typography variant="body2" color="text.secondary">
                      {translate('dfy.pp.summary.minutes', hm)}
                    </Typography>
                  )}
                  <DeltaBadge delta={d} text={d.diff === null ? '' : `${formatSigned(d.diff, intlLocale(locale))} %`} />
                </Box>
              );
            })}
          </Stack>
        </Stack>
        <Typography variant="caption" color="text.secondary">
          {translate(stats.bands.basis === 'time' ? 'dfy.pp.summary.basis_time' : 'dfy.pp.summary.basis_count')}
        </Typography>
      </CardContent>
    </Card>
  );
}

function Sufficiency({ stats }: { stats: Stats }) {
  const translate = useTranslate();
  const s = stats.sufficiency;
  return (
    <Alert severity={s.sufficient ? 'success' : 'warning'} data-testid="sufficiency">
      <Typography component="p" sx={{ fontWeight: 600 }}>
        {translate(s.sufficient ? 'dfy.pp.summary.sufficient' : 'dfy.pp.summary.insufficient')}
      </Typography>
      {s.reasons.length > 0 && (
        <Box component="ul" sx={{ m: 0, pl: 2 }}>
          {s.reasons.map((r) => (
            <li key={r}>{translate(`dfy.pp.reasons.${r}`, { _: r })}</li>
          ))}
        </Box>
      )}
    </Alert>
  );
}

const EPISODE_KEYS = ['severeHypo', 'hypo', 'hyper', 'severeHyper'] as const;

function Episodes({ stats }: { stats: Stats }) {
  const translate = useTranslate();
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" component="h2" gutterBottom>
          {translate('dfy.pp.summary.episodes')}
        </Typography>
        <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap">
          {EPISODE_KEYS.map((k) => {
            const e = stats.episodes[k];
            const longest =
              e.count > 0 ? ` · ${translate('dfy.pp.summary.episode_longest', { minutes: e.longestMinutes })}` : '';
            return (
              <Chip
                key={k}
                data-episode={k}
                variant="outlined"
                label={`${translate(`dfy.pp.episodes.${k}`)}: ${translate('dfy.pp.summary.episode_count', { smart_count: e.count })}${longest}`}
              />
            );
          })}
        </Stack>
      </CardContent>
    </Card>
  );
}
