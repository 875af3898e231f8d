/**
 * Per-patient, per-local-day band counts (`reading_day_summaries`), kept in step with the readings
 * inside the writing transaction. Triage reads these instead of every reading.
 *
 * Bands follow clinical.md: classify on the value rounded to the nearest whole mg/dL; "LO" counts
 * as very low and "HI" as very high, neither enters the sums.
 */
import type { Executor } from '../../db/client.js';
import { type DayAccumulator, upsertDaySummaries } from './readings.summaries.repository.js';

export type Band = 'veryLow' | 'low' | 'inRange' | 'high' | 'veryHigh';

/** The consensus band of a reading (clinical.md), by its value rounded to whole mg/dL. */
export function bandOf(valueMgDl: number | null, rangeFlag: 'LO' | 'HI' | null = null): Band {
  if (rangeFlag === 'LO') return 'veryLow';
  if (rangeFlag === 'HI') return 'veryHigh';
  const v = Math.round(valueMgDl ?? Number.NaN);
  if (v < 54) return 'veryLow';
  if (v < 70) return 'low';
  if (v <= 180) return 'inRange';
  if (v <= 250) return 'high';
  return 'veryHigh';
}

/** One reading entering (+1) or leaving (−1) a day's summary. */
export interface SummaryDelta {
  patientId: number;
  /** Local day in the patient's timezone, `YYYY-MM-DD`. */
  day: string;
  valueMgDl: number | null;
  rangeFlag: 'LO' | 'HI' | null;
  /** Control-solution checks are not the patient's glucose: they never enter a summary. */
  sampleType?: string | null;
  sign: 1 | -1;
}

/** Applies deltas with one upsert per (patient, day), merging deltas that share a day. */
export async function applySummaryDeltas(db: Executor, deltas: readonly SummaryDelta[]): Promise<void> {
  const counted = deltas.filter((d) => d.sampleType !== 'control_solution');
  if (counted.length === 0) return;
  const byDay = new Map<string, DayAccumulator>();
  for (const d of counted) {
    const k = `${d.patientId}|${d.day}`;
    let acc = byDay.get(k);
    if (!acc) {
      acc = { patientId: d.patientId, day: d.day, count: 0, valued: 0, sum: 0, sumSq: 0, bands: zeroBands() };
      byDay.set(k, acc);
    }
    acc.count += d.sign;
    if (d.valueMgDl !== null) {
      acc.valued += d.sign;
      acc.sum += d.sign * d.valueMgDl;
      acc.sumSq += d.sign * d.valueMgDl * d.valueMgDl;
    }
    acc.bands[bandOf(d.valueMgDl, d.rangeFlag)] += d.sign;
  }
  await upsertDaySummaries(db, [...byDay.values()]);
}

const zeroBands = (): Record<Band, number> => ({ veryLow: 0, low: 0, inRange: 0, high: 0, veryHigh: 0 });

/** Recomputes the summaries of some patients from their live readings (bulk loads, repairs). */
export { rebuildDaySummaries } from './readings.summaries.repository.js';
