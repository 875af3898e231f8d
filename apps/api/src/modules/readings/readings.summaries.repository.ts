/**
 * The `reading_day_summaries` table: per-patient, per-local-day band counts and sums, moved by
 * deltas inside the writing transaction or rebuilt from the readings.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

/** One (patient, local day)'s net change: counts and sums to add, per consensus band. */
export interface DayAccumulator {
  patientId: number;
  day: string;
  count: number;
  valued: number;
  sum: number;
  sumSq: number;
  bands: { veryLow: number; low: number; inRange: number; high: number; veryHigh: number };
}

/** One upsert for every (patient, day) accumulator: adds its counts and sums to the stored ones. */
export async function upsertDaySummaries(db: Executor, rows: readonly DayAccumulator[]): Promise<void> {
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

/** SQL: band counts of `readings r` (rounded whole mg/dL; LO very low, HI very high). */
const bandCountsSql: SQL = sql.raw(`
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
