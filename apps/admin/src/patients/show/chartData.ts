/**
 * Shaping API answers into chart rows. Everything arrives in mg/dL; conversion to the user's unit
 * happens here, once, so the axes, tooltips and reference lines of a chart agree.
 */
import type { paths } from '@diabetify/contracts/openapi';
import { CONSENSUS, type ConsensusBand, consensusBandOf } from '../../glucose/colors';
import { type GlucoseUnit, roundForDisplay } from '../../glucose/units';

type Json<P extends keyof paths, M extends 'get'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
export type Stats = Json<'/v1/patients/{id}/stats', 'get'>;
export type Agp = Json<'/v1/patients/{id}/agp', 'get'>;
export type ReadingPage = Json<'/v1/patients/{id}/readings', 'get'>;
export type Reading = ReadingPage['data'][number];
export type Triage = Json<'/v1/triage', 'get'>;

export interface Point {
  /** epoch ms */
  t: number;
  /** in the display unit */
  v: number;
  band: ConsensusBand;
}

/** Readings with a number, oldest first (the API lists newest first); LO/HI flags have no value to plot. */
export function readingPoints(readings: readonly Reading[], unit: GlucoseUnit): Point[] {
  const out: Point[] = [];
  for (const r of readings) {
    if (r.valueMgDl === null) continue;
    out.push({
      t: Date.parse(r.measuredAt),
      v: roundForDisplay(r.valueMgDl, unit),
      band: consensusBandOf(r.valueMgDl),
    });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** The consensus lines (54/70/180/250 mg/dL) in the display unit. */
export function thresholdLines(unit: GlucoseUnit) {
  return {
    veryLow: roundForDisplay(CONSENSUS.veryLow, unit),
    low: roundForDisplay(CONSENSUS.low, unit),
    high: roundForDisplay(CONSENSUS.high, unit),
    veryHigh: roundForDisplay(CONSENSUS.veryHigh, unit),
  };
}

export interface AgpRow {
  /** minutes since local midnight (bin start) */
  minute: number;
  outer: [number, number] | null;
  inner: [number, number] | null;
  median: number | null;
}

/** One row per 15-minute bin; bins without data stay as gaps (null), never as zeros. */
export function agpRows(bins: Agp['bins'], unit: GlucoseUnit): AgpRow[] {
  const conv = (v: number | null) => (v === null ? null : roundForDisplay(v, unit));
  return bins.map((b) => {
    const [p5, p25, p50, p75, p95] = [conv(b.p5), conv(b.p25), conv(b.p50), conv(b.p75), conv(b.p95)];
    return {
      minute: b.bin * 15,
      outer: b.hasData && p5 !== null && p95 !== null ? [p5, p95] : null,
      inner: b.hasData && p25 !== null && p75 !== null ? [p25, p75] : null,
      median: b.hasData ? p50 : null,
    };
  });
}

/** "06:00" for 360 minutes. */
export function clockOf(minute: number): string {
  const h = Math.floor(minute / 60) % 24;
  const m = minute % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

const localParts = (timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });

export interface DailyProfile {
  date: string;
  points: { minute: number; v: number }[];
}

/** Readings grouped by local calendar day (in `timeZone`), each day's points by minute of the day. */
export function dailyProfiles(readings: readonly Reading[], unit: GlucoseUnit, timeZone: string): DailyProfile[] {
  const fmt = localParts(timeZone);
  const days = new Map<string, { minute: number; v: number }[]>();
  for (const r of readings) {
    if (r.valueMgDl === null) continue;
    const parts = fmt.formatToParts(new Date(r.measuredAt));
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
    const date = `${get('year')}-${get('month')}-${get('day')}`;
    const minute = Number(get('hour')) * 60 + Number(get('minute'));
    const list = days.get(date) ?? [];
    list.push({ minute, v: roundForDisplay(r.valueMgDl, unit) });
    days.set(date, list);
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, points]) => ({ date, points: points.sort((a, b) => a.minute - b.minute) }));
}

export const BAND_KEYS = ['veryLow', 'low', 'inRange', 'high', 'veryHigh'] as const;
export type BandKey = (typeof BAND_KEYS)[number];
export const BAND_COLOR_KEY: Record<BandKey, ConsensusBand> = {
  veryLow: 'very_low',
  low: 'low',
  inRange: 'in_range',
  high: 'high',
  veryHigh: 'very_high',
};

export interface TirSegment {
  key: BandKey;
  percent: number;
  minutes: number | null;
}

/** The five stacked segments, bottom (very low) to top (very high); empty bands are kept (0 %). */
export function tirSegments(bands: Stats['bands']): TirSegment[] {
  return BAND_KEYS.map((key) => ({ key, percent: bands[key].percent ?? 0, minutes: bands[key].minutes }));
}
