/**
 * Per-patient, per-local-day band counts (`reading_day_summaries`), kept in step with the readings
 * inside the writing transaction. Triage reads these instead of every reading.
 *
 * Bands follow clinical.md: classify on the value rounded to the nearest whole mg/dL; "LO" counts
 * as very low and "HI" as very high, neither enters the sums.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

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
  const rows = [...byDay.values()];
  const col = (f: (r: (typeof rows)[number]) => number | string) => sql.param(rows.map(f));
  await db.execute(sql`
    insert into reading_day_summaries as s (patient_id, day, count, valued_count, sum_mg_dl, sum_sq_mg_dl,
      very_low, low, in_range, high, very_high)
    select * from unnest(${col((r) => r.patientId)}::bigint[], ${col((r) => r.day)}::date[],
      ${col((r) => r.count)}::int[], ${col((r) => r.valued)}::int[], ${col((r) => r.sum)}::float8[],
      ${col((r) => r.sumSq)}::float8[], ${col((r) => r.bands.veryLow)}::int[], ${col((r) => r.bands.low)}::int[],
      ${col((r) => r.bands.inRange)}::int[], ${col((r) => r.bands.high)}::int[], ${col((r) => r.bands.veryHigh)}::int[])
    on conflict (patient_id, day) do update set
      count = s.count + excluded.count, valued_count = s.valued_count + excluded.valued_count,
      sum_mg_dl = s.sum_mg_dl + excluded.sum_mg_dl, sum_sq_mg_dl = s.sum_sq_mg_dl + excluded.sum_sq_mg_dl,
      very_low = s.very_low + excluded.very_low, low = s.low + excluded.low, in_range = s.in_range + excluded.in_range,
      high = s.high + excluded.high, very_high = s.very_high + excluded.very_high, updated_at = now()`);
}

interface DayAccumulator {
  patientId: number;
  day: string;
  count: number;
  valued: number;
  sum: number;
  sumSq: number;
  bands: Record<Band, number>;
}

const zeroBands = (): Record<Band, number> => ({ veryLow: 0, low: 0, inRange: 0, high: 0, veryHigh: 0 });

/** SQL: band counts of `readings r` (rounded whole mg/dL; LO very low, HI very high). */
export const bandCountsSql: SQL = sql.raw(`
  count(*) filter (where r.range_flag = 'LO' or round(r.value_mg_dl) < 54),
  count(*) filter (where round(r.value_mg_dl) between 54 and 69),
  count(*) filter (where round(r.value_mg_dl) between 70 and 180),
  count(*) filter (where round(r.value_mg_dl) between 181 and 250),
  count(*) filter (where r.range_flag = 'HI' or round(r.value_mg_dl) > 250)`);

/** Recomputes the summaries of some patients from their live readings (bulk loads, repairs). */
export async function rebuildDaySummaries(db: Executor, patientIds: readonly number[]): Promise<void> {
  if (patientIds.length === 0) return;
  const ids = sql.param([...patientIds]);
  await db.execute(sql`delete from reading_day_summaries where patient_id = any(${ids}::bigint[])`);
  await db.execute(sql`
    insert into reading_day_summaries (patient_id, day, count, valued_count, sum_mg_dl, sum_sq_mg_dl,
      very_low, low, in_range, high, very_high)
    select r.patient_id, (r.measured_at at time zone p.timezone)::date, count(*), count(r.value_mg_dl),
      coalesce(sum(r.value_mg_dl), 0), coalesce(sum(r.value_mg_dl * r.value_mg_dl), 0), ${bandCountsSql}
    from readings r join patients p on p.id = r.patient_id
    where r.patient_id = any(${ids}::bigint[]) and r.deleted_at is null
      and r.sample_type is distinct from 'control_solution'
    group by 1, 2`);
}
