/**
 * Pure assembly of the answers: the aggregates the repository returns → the response shapes
 * (rounding, percentages, basis, sufficiency, episodes, per-day and per-context roll-ups).
 */

import { READING_CONTEXTS } from '../../db/schema/readings.js';
import { groupBy } from '../../lib/group-by.js';
import type { Band } from '../readings/readings.summaries.js';
import { allEpisodes, type EpisodeSummary, runsFromStarts } from './analytics.episodes.js';
import {
  BANDS,
  binStart,
  CLASSIFICATION,
  CV_STABLE_MAX,
  cv,
  EPISODES_DEFINITION,
  gmi,
  gri,
  localDates,
  localDays,
  meanSdFromSums,
  percents,
  type ResolvedWindow,
  round,
  roundOrNull,
  sufficiency,
  THRESHOLDS,
  TIGHT_RANGE,
} from './analytics.formulas.js';
import type { AgpRow, GroupRow, PatientProfile, WindowAggregates } from './analytics.repository.js';
import type { Agp, WindowStats } from './analytics.schema.js';

export interface AgpAggregates {
  bins: AgpRow[];
  days: number;
  count: number;
}

type Thresholds = WindowStats['thresholds'];

export function thresholdsOf(profile: PatientProfile): Thresholds {
  return {
    ...THRESHOLDS,
    target: { low: profile.targetLowMgDl, high: profile.targetHighMgDl },
    tight: { ...TIGHT_RANGE },
    classification: CLASSIFICATION,
  };
}

const ratio = (part: number, whole: number) => (whole > 0 ? round((part / whole) * 100, 1) : null);

type Totals = Omit<GroupRow, 'day' | 'context'>;

/** Sums (day, context) cells into one: the window total, one day or one context. */
function rollUp(groups: readonly GroupRow[]): Totals {
  const t: Totals = {
    n: 0,
    valued: 0,
    cgm: 0,
    sum: 0,
    sumSq: 0,
    min: null,
    max: null,
    bands: [0, 0, 0, 0, 0],
    target: 0,
    tight: 0,
  };
  for (const g of groups) {
    t.n += g.n;
    t.valued += g.valued;
    t.cgm += g.cgm;
    t.sum += g.sum;
    t.sumSq += g.sumSq;
    if (g.min !== null) t.min = t.min === null ? g.min : Math.min(t.min, g.min);
    if (g.max !== null) t.max = t.max === null ? g.max : Math.max(t.max, g.max);
    for (let i = 0; i < 5; i++) t.bands[i] = (t.bands[i] ?? 0) + (g.bands[i] ?? 0);
    t.target += g.target;
    t.tight += g.tight;
  }
  return t;
}

/** One window's statistics from its aggregates (the tail of the last CGM reading is added here). */
export function windowStats(profile: PatientProfile, w: ResolvedWindow, agg: WindowAggregates): WindowStats {
  const total = rollUp(agg.groups);
  const minutes = { ...agg.minutes, bands: [...agg.minutes.bands] };
  // The last CGM reading stands until the window end, capped at the interval.
  if (agg.last) {
    const tail = Math.min((w.to.getTime() - agg.last.ms) / 60_000, agg.intervalMinutes);
    const b = (agg.last.code & 31) >> 2;
    minutes.bands[b] = (minutes.bands[b] ?? 0) + tail;
    if (agg.last.code & 2) minutes.target += tail;
    if (agg.last.code & 1) minutes.tight += tail;
  }
  const n = total.n;
  const { mean, sd } = meanSdFromSums(total.valued, total.sum, total.sumSq);
  const cvValue = mean !== null && sd !== null ? cv(mean, sd) : null;

  const bandCounts = Object.fromEntries(BANDS.map((b, i) => [b, total.bands[i]])) as Record<Band, number>;
  const bandMinutes = Object.fromEntries(BANDS.map((b, i) => [b, minutes.bands[i] ?? 0])) as Record<Band, number>;
  const totalMinutes = minutes.bands.reduce((x, y) => x + y, 0);
  const hasTime = totalMinutes > 0;
  // Meter data is not time-weighted; a window that is mostly CGM readings is (clinical.md).
  const basis: 'time' | 'count' = hasTime && total.cgm * 2 >= n ? 'time' : 'count';
  const countPct = percents(bandCounts);
  const timePct = hasTime ? percents(bandMinutes) : null;
  const chosen = basis === 'time' && timePct ? timePct : countPct;

  const band = (b: Band) => ({
    percent: chosen[b],
    minutes: hasTime ? round(bandMinutes[b], 1) : null,
    timePercent: timePct ? timePct[b] : null,
    count: bandCounts[b],
    countPercent: countPct[b],
  });
  const range = (low: number, high: number, count: number, minutes: number) => {
    const timePercent = hasTime ? ratio(minutes, totalMinutes) : null;
    const countPercent = ratio(count, n);
    return {
      lowMgDl: low,
      highMgDl: high,
      percent: basis === 'time' ? timePercent : countPercent,
      minutes: hasTime ? round(minutes, 1) : null,
      timePercent,
      count,
      countPercent,
    };
  };

  const windowDays = localDays(w);
  const byDay = groupBy(agg.groups, (g) => g.day);
  const byContext = groupBy(agg.groups, (g) => g.context);
  const contextOrder = (c: string) => READING_CONTEXTS.indexOf(c as (typeof READING_CONTEXTS)[number]);
  const lastFinish = agg.last ? agg.last.ms + Math.min(w.to.getTime() - agg.last.ms, agg.intervalMinutes * 60_000) : 0;
  const episodes = allEpisodes(runsFromStarts(agg.starts, agg.intervalMinutes, lastFinish));
  const episode = (e: EpisodeSummary) => ({
    count: e.count,
    minutes: round(e.minutes, 1),
    longestMinutes: round(e.longest, 1),
  });

  return {
    window: { from: w.from.toISOString(), to: w.to.toISOString(), timezone: w.timezone, days: windowDays },
    count: n,
    valuedCount: total.valued,
    cgmCount: total.cgm,
    meanMgDl: roundOrNull(mean),
    sdMgDl: roundOrNull(sd),
    cvPercent: roundOrNull(cvValue),
    cvStable: cvValue === null ? null : cvValue <= CV_STABLE_MAX,
    minMgDl: total.min,
    maxMgDl: total.max,
    gmi: mean === null ? null : gmi(mean),
    bands: {
      basis,
      veryLow: band('veryLow'),
      low: band('low'),
      inRange: band('inRange'),
      high: band('high'),
      veryHigh: band('veryHigh'),
    },
    target: range(profile.targetLowMgDl, profile.targetHighMgDl, total.target, minutes.target),
    tightRange: range(TIGHT_RANGE.low, TIGHT_RANGE.high, total.tight, minutes.tight),
    gri: gri(chosen),
    thresholds: thresholdsOf(profile),
    sufficiency: sufficiency({
      count: n,
      cgmCount: total.cgm,
      windowMinutes: (w.to.getTime() - w.from.getTime()) / 60_000,
      windowDays,
      intervalMinutes: agg.intervalMinutes,
      daysWithData: byDay.size,
    }),
    episodes: {
      hypo: episode(episodes.hypo),
      severeHypo: episode(episodes.severeHypo),
      hyper: episode(episodes.hyper),
      severeHyper: episode(episodes.severeHyper),
      definition: EPISODES_DEFINITION,
    },
    readingsPerDay: {
      average: windowDays > 0 ? round(n / windowDays, 1) : 0,
      days: localDates(w).map((date) => {
        const d = rollUp(byDay.get(date) ?? []);
        const m = meanSdFromSums(d.valued, d.sum, d.sumSq).mean;
        return { date, count: d.n, valuedCount: d.valued, meanMgDl: roundOrNull(m) };
      }),
    },
    byContext: [...byContext.entries()]
      .sort(([a], [b]) => contextOrder(a) - contextOrder(b))
      .map(([context, groups]) => {
        const c = rollUp(groups);
        const ms = meanSdFromSums(c.valued, c.sum, c.sumSq);
        return {
          context,
          count: c.n,
          valuedCount: c.valued,
          meanMgDl: roundOrNull(ms.mean),
          sdMgDl: roundOrNull(ms.sd),
          minMgDl: c.min,
          maxMgDl: c.max,
          veryLow: c.bands[0],
          low: c.bands[1],
          inRange: c.bands[2],
          high: c.bands[3],
          veryHigh: c.bands[4],
        };
      }),
  };
}

/** The 96-bin AGP from the per-bin percentiles; bins without readings are reported empty. */
export function agpOf(profile: PatientProfile, w: ResolvedWindow, a: AgpAggregates): Agp {
  const { bins, days, count } = a;
  const byBin = new Map(bins.map((b) => [b.bin, b]));
  return {
    window: { from: w.from.toISOString(), to: w.to.toISOString(), timezone: w.timezone, days: localDays(w) },
    binMinutes: 15,
    count,
    daysWithData: days,
    thresholds: thresholdsOf(profile),
    bins: Array.from({ length: 96 }, (_, bin) => {
      const b = byBin.get(bin);
      const p = b?.p ?? null;
      return {
        bin,
        start: binStart(bin),
        hasData: (b?.n ?? 0) > 0,
        count: b?.n ?? 0,
        belowRangeCount: b?.lo ?? 0,
        aboveRangeCount: b?.hi ?? 0,
        p5: p ? round(p[0], 1) : null,
        p25: p ? round(p[1], 1) : null,
        p50: p ? round(p[2], 1) : null,
        p75: p ? round(p[3], 1) : null,
        p95: p ? round(p[4], 1) : null,
      };
    }),
    note:
      'Percentiles (percentile_cont) of readings with a value, per 15-minute bin of local wall-clock time; LO/HI ' +
      'readings have no value and are counted apart. Bins without data have hasData false and null percentiles.',
  };
}
