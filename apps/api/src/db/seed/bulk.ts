/**
 * Bulk insert of readings: one `INSERT … SELECT FROM unnest($1::bigint[], …)` per chunk, i.e. seven
 * array parameters for thousands of rows, instead of drizzle's insert builder (≈ 65 µs per row,
 * architecture.md "Bulk writes"). Arrays go through `sql.param` — a bare JS array in drizzle's
 * `sql` template is expanded into a `($1, $2, …)` list — and both node-postgres and PGlite
 * serialise a JS array parameter as a PostgreSQL array literal.
 */

import { sql } from 'drizzle-orm';
import { rebuildDaySummaries } from '../../modules/readings/readings.summaries.js';
import type { Executor } from '../client.js';
import type { ReadingColumns } from './columns.js';

/** Inserts one chunk; returns the number of rows. Works on a database or inside a transaction. */
export async function insertReadings(db: Executor, c: ReadingColumns): Promise<number> {
  const rows = c.patientId.length;
  if (rows === 0) return 0;
  // Timestamps travel as epoch milliseconds (float8 is exact for them) rather than Date objects:
  // no driver-specific date formatting, and a shorter parameter.
  // Each reading takes the next position of its patient's change feed and the patient's counters
  // move with it, as the readings service does one reading at a time (readings README).
  await db.execute(sql`
    with input as (
      select r.*, row_number() over (partition by r.patient_id order by r.ord) as n
      from unnest(
        ${sql.param(c.patientId)}::bigint[],
        ${sql.param(c.valueMgDl)}::numeric[],
        ${sql.param(c.measuredAtMs)}::float8[],
        ${sql.param(c.context)}::text[],
        ${sql.param(c.source)}::text[],
        ${sql.param(c.deviceId)}::text[],
        ${sql.param(c.sequenceNumber)}::integer[]
      ) with ordinality as r(patient_id, value_mg_dl, at_ms, context, source, device_id, seq, ord)
    ),
    heads as (
      update patients p
      set readings_change_seq = p.readings_change_seq + c.n,
        times_measured = p.times_measured + c.n,
        last_reading_at = greatest(p.last_reading_at, c.last)
      from (select patient_id, count(*) as n, to_timestamp(max(at_ms) / 1000) as last from input group by patient_id) c
      where p.id = c.patient_id
      returning p.id, p.readings_change_seq - c.n as base
    )
    insert into readings (patient_id, value_mg_dl, measured_at, device_time, context, source, device_id,
      sequence_number, sample_type, entered_by_kind, change_seq)
    select i.patient_id, i.value_mg_dl, to_timestamp(i.at_ms / 1000),
      case when i.device_id is null then null else to_timestamp(i.at_ms / 1000) end,
      i.context, i.source, i.device_id, i.seq,
      case i.source when 'cgm' then 'interstitial_fluid' when 'meter' then 'capillary_whole_blood' end,
      'system', h.base + i.n
    from input i join heads h on h.id = i.patient_id`);
  await rebuildDaySummaries(db, [...new Set(c.patientId)]);
  return rows;
}
