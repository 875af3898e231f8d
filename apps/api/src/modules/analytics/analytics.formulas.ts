/**
 * Pure glucose formulas (clinical.md), kept apart from SQL so the golden numbers are unit-tested.
 * The repository aggregates; these turn the aggregates into the reported metrics.
 */
import { DAY_MS, exactOffsetMs, fromLocalMs, MINUTE_MS, timezoneOffsetMs, toLocalMs } from '../../lib/local-time.js';
import type { Band } from '../readings/readings.summaries.js';

export const MG_DL_PER_MMOL_L = 18.0156;
/** Consensus band edges in whole mg/dL (values are rounded before comparing, see bandOf). */
export const THRESHOLDS = { veryLow: 54, low: 70, high: 180, veryHigh: 250 } as const;
export const TIGHT_RANGE = { low: 70, high: 140 } as const;
export const BANDS: readonly Band[] = ['veryLow', 'low', 'inRange', 'high', 'veryHigh'];
export const CLASSIFICATION =
  'Bands on the value rounded to whole mg/dL: veryLow <54, low 54–69, inRange 70–180, high 181–250, veryHigh >250; LO counts as veryLow and HI as veryHigh.';

export const DEFAULT_WINDOW_DAYS = 14;
export const MAX_WINDOW_DAYS = 366;
export const SUFFICIENT_DAYS = 14;
export const SUFFICIENT_PERCENT_ACTIVE = 70;
export const CV_STABLE_MAX = 36;
export const EPISODE_MINUTES = 15;
export const DEFAULT_INTERVAL_MINUTES = 5;
export const EPISODES_DEFINITION =
  'An episode starts after ≥15 consecutive CGM minutes beyond its threshold (hypo <70, severeHypo <54, hyper >180, severeHyper >250) and ends after ≥15 minutes back; a data gap longer than two sampling intervals ends it. minutes: from its start to the last reading beyond the threshold.';

export const round = (x: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
export const roundOrNull = (x: number | null, digits = 1) =>
  x === null || !Number.isFinite(x) ? null : round(x, digits);

/** Glucose management indicator (Bergenstal 2018). Not the older ADAG eA1c formula. */
export function gmi(meanMgDl: number): { percent: number; mmolPerMol: number } {
  return {
    percent: round(3.31 + 0.02392 * meanMgDl, 2),
    mmolPerMol: round(12.71 + 4.70587 * (meanMgDl / MG_DL_PER_MMOL_L), 1),
  };
}

/** Coefficient of variation, percent. */
export function cv(meanMgDl: number, sdMgDl: number): number | null {
  return meanMgDl > 0 ? (sdMgDl / meanMgDl) * 100 : null;
}

/** Mean and population SD from n, Σx and Σx² (what the day summaries keep). */
export function meanSdFromSums(n: number, sum: number, sumSq: number): { mean: number | null; sd: number | null } {
  if (n <= 0) return { mean: null, sd: null };
  const mean = sum / n;
  // Floating-point cancellation can leave a tiny negative variance for constant data.
  return { mean, sd: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

export type BandValues = Record<Band, number>;

/** Shares of a whole, in percent; null when the whole is empty. */
export function percents(parts: BandValues): Record<Band, number | null> {
  const total = BANDS.reduce((s, b) => s + parts[b], 0);
  const out = {} as Record<Band, number | null>;
  for (const b of BANDS) out[b] = total > 0 ? round((parts[b] / total) * 100, 1) : null;
  return out;
}

export type GriZone = 'A' | 'B' | 'C' | 'D' | 'E';

/**
 * Glycemia risk index (Klonoff et al. 2023) from band percentages:
 * hypo = %<54 + 0.8 × %54–69, hyper = %>250 + 0.5 × %181–250, GRI = 3.0 × hypo + 1.6 × hyper, capped at 100.
 */
export function gri(pct: Record<Band, number | null>): {
  value: number;
  hypoComponent: number;
  hyperComponent: number;
  zone: GriZone;
} | null {
  if (pct.inRange === null) return null;
  const hypo = (pct.veryLow ?? 0) + 0.8 * (pct.low ?? 0);
  const hyper = (pct.veryHigh ?? 0) + 0.5 * (pct.high ?? 0);
  const value = Math.min(100, 3 * hypo + 1.6 * hyper);
  const zone: GriZone = value <= 20 ? 'A' : value <= 40 ? 'B' : value <= 60 ? 'C' : value <= 80 ? 'D' : 'E';
  return { value: round(value, 1), hypoComponent: round(hypo, 1), hyperComponent: round(hyper, 1), zone };
}

/** The CGM sampling interval from the median gap between readings: 15-minute devices exist (Libre 1). */
export function inferIntervalMinutes(medianGapMinutes: number | null): number {
  if (medianGapMinutes === null || !Number.isFinite(medianGapMinutes)) return DEFAULT_INTERVAL_MINUTES;
  return medianGapMinutes > 10 ? 15 : DEFAULT_INTERVAL_MINUTES;
}

export interface SufficiencyInput {
  count: number;
  cgmCount: number;
  windowMinutes: number;
  windowDays: number;
  intervalMinutes: number;
  daysWithData: number;
}

/** Consensus data sufficiency: ≥ 14 days and ≥ 70 % of possible CGM readings. Values are returned anyway. */
export function sufficiency(s: SufficiencyInput) {
  const possible = s.windowMinutes / s.intervalMinutes;
  const percentActive = possible > 0 ? Math.min(100, round((s.cgmCount / possible) * 100, 1)) : 0;
  const reasons: string[] = [];
  if (s.count === 0) reasons.push('no_readings');
  else if (s.cgmCount === 0) reasons.push('no_cgm_data');
  if (s.windowDays < SUFFICIENT_DAYS) reasons.push('window_shorter_than_14_days');
  if (s.cgmCount > 0 && percentActive < SUFFICIENT_PERCENT_ACTIVE) reasons.push('cgm_active_below_70_percent');
  return {
    sufficient: reasons.length === 0,
    percentActive,
    intervalMinutes: s.intervalMinutes,
    daysWithData: s.daysWithData,
    windowDays: s.windowDays,
    reasons,
  };
}

export interface ResolvedWindow {
  from: Date;
  to: Date;
  timezone: string;
}

export class WindowError extends Error {
  constructor(
    readonly field: 'from' | 'to',
    message: string,
  ) {
    super(message);
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` → the instant its local day starts (plus `addDays`), else the instant itself. */
function parseBound(value: string, timezone: string, addDays: number): Date {
  if (DATE_ONLY.test(value)) {
    return new Date(fromLocalMs(timezone, Date.parse(`${value}T00:00:00Z`) + addDays * DAY_MS));
  }
  return new Date(value);
}

/** `days` local calendar days before `at`, at the same wall-clock time (DST-safe). */
export function localDaysBefore(at: Date, timezone: string, days: number): Date {
  return new Date(fromLocalMs(timezone, toLocalMs(timezone, at.getTime()) - days * DAY_MS));
}

/** Window length in local calendar days: a 14-day window across a DST change is still 14 days. */
export function localDays(w: ResolvedWindow): number {
  return round((toLocalMs(w.timezone, w.to.getTime()) - toLocalMs(w.timezone, w.from.getTime())) / DAY_MS, 2);
}

/**
 * The statistics window. Default: the last 14 days ending now. `from` alone runs to now; `to`
 * alone reaches 14 local days back. A date-only `to` includes that whole local day.
 */
export function resolveWindow(
  q: { from?: string | Date | undefined; to?: string | Date | undefined },
  timezone: string,
  now: Date,
): ResolvedWindow {
  const bound = (v: string | Date, addDays: number) => (v instanceof Date ? v : parseBound(v, timezone, addDays));
  const to = q.to === undefined ? now : bound(q.to, 1);
  const from = q.from === undefined ? localDaysBefore(to, timezone, DEFAULT_WINDOW_DAYS) : bound(q.from, 0);
  if (Number.isNaN(from.getTime())) throw new WindowError('from', 'is not a valid date');
  if (Number.isNaN(to.getTime())) throw new WindowError('to', 'is not a valid date');
  if (from.getTime() >= to.getTime()) throw new WindowError('to', 'must be after from');
  const w = { from, to, timezone };
  if (localDays(w) > MAX_WINDOW_DAYS)
    throw new WindowError('from', `the window may span at most ${MAX_WINDOW_DAYS} days`);
  return w;
}

/** The window of equal length just before `w`. */
export function previousWindow(w: ResolvedWindow): ResolvedWindow {
  const length = w.to.getTime() - w.from.getTime();
  return { from: new Date(w.from.getTime() - length), to: w.from, timezone: w.timezone };
}

/** Every local date the window touches, `YYYY-MM-DD`, in order. */
export function localDates(w: ResolvedWindow): string[] {
  const first = Math.floor(toLocalMs(w.timezone, w.from.getTime()) / DAY_MS);
  const last = Math.floor(toLocalMs(w.timezone, w.to.getTime() - 1) / DAY_MS);
  const out: string[] = [];
  for (let d = first; d <= last; d++) out.push(new Date(d * DAY_MS).toISOString().slice(0, 10));
  return out;
}

/** The zone's exact UTC offset (wall clock − UTC, ms) at an instant, to the second. */
export function offsetAt(timezone: string, utcMs: number): number {
  return exactOffsetMs(timezone, utcMs);
}

/**
 * The zone's UTC offsets over a window, for SQL: `offsetsSec[i]` applies from `transitions[i − 1]`
 * (or before the first) until `transitions[i]`, so the query finds a reading's offset with
 * `width_bucket(t, transitions)` instead of converting every reading with AT TIME ZONE. Sampled once
 * a day (at UTC midnights, memoised) — real zones never change offset twice within a day — and each
 * change located to the minute.
 */
export function zoneSegments(timezone: string, from: Date, to: Date): { transitions: Date[]; offsetsSec: number[] } {
  const first = Math.floor(from.getTime() / DAY_MS) * DAY_MS - DAY_MS;
  const end = to.getTime() + DAY_MS;
  let prev = timezoneOffsetMs(timezone, first);
  const transitions: Date[] = [];
  const offsetsSec = [prev / 1000];
  for (let t = first; t < end; t += DAY_MS) {
    const next = timezoneOffsetMs(timezone, t + DAY_MS);
    if (next === prev) continue;
    let lo = t;
    let hi = t + DAY_MS;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / MINUTE_MS / 2) * MINUTE_MS;
      if (offsetAt(timezone, mid) === prev) lo = mid;
      else hi = mid;
    }
    transitions.push(new Date(hi));
    offsetsSec.push(next / 1000);
    prev = next;
  }
  return { transitions, offsetsSec };
}

/** Bin start as HH:MM for a 15-minute bin index 0–95. */
export function binStart(bin: number): string {
  const minutes = bin * 15;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export const TRIAGE_NO_DATA_DAYS = 7;

export interface TriageMetrics {
  /** Readings per band over the triage window (day summaries). */
  bands: BandValues;
  cvPercent: number | null;
  daysSinceLastReading: number | null;
}

/**
 * Why a patient is on the triage list: consensus targets not met (Battelino 2019) and missing data.
 * Raw (unrounded) shares, the same comparisons the ranking query makes.
 */
export function triageFlags(m: TriageMetrics): string[] {
  const n = BANDS.reduce((s, b) => s + m.bands[b], 0);
  const share = (x: number) => (x / n) * 100;
  const flags: string[] = [];
  if (m.daysSinceLastReading === null) flags.push('never_measured');
  else if (m.daysSinceLastReading >= TRIAGE_NO_DATA_DAYS) flags.push('no_reading_7_days');
  if (n === 0) {
    flags.push('no_readings_in_window');
    return flags;
  }
  if (share(m.bands.veryLow) > 1) flags.push('below_54_over_1_percent');
  if (share(m.bands.veryLow + m.bands.low) > 4) flags.push('below_70_over_4_percent');
  if (share(m.bands.inRange) < 70) flags.push('in_range_under_70_percent');
  if (share(m.bands.high + m.bands.veryHigh) > 25) flags.push('above_180_over_25_percent');
  if (share(m.bands.veryHigh) > 5) flags.push('above_250_over_5_percent');
  if (m.cvPercent !== null && m.cvPercent > CV_STABLE_MAX) flags.push('cv_over_36_percent');
  return flags;
}
