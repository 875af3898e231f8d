/**
 * Bulk insert of readings: one `INSERT … SELECT FROM unnest($1::bigint[], …)` per chunk, i.e. seven
 * array parameters for thousands of rows, instead of drizzle's insert builder (≈ 65 µs per row,
 * architecture.md "Bulk writes"). Arrays go through `sql.param` — a bare JS array in drizzle's
 * `sql` template is expanded into a `($1, $2, …)` list — and both node-postgres and PGlite
 * serialise a JS array parameter as a PostgreSQL array literal.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../client.js';
import type { ReadingColumns } from './columns.js';

/** Inserts one chunk; returns the number of rows. Works on a database or inside a transaction. */
export async function insertReadings(db: Executor, c: ReadingColumns): Promise<number> {
  const rows = c.patientId.length;
  if (rows === 0) return 0;
  // Timestamps travel as epoch milliseconds (float8 is exact for them) rather than Date objects:
  // no driver-specific date formatting, and a shorter parameter.
  await db.execute(sql`
    insert into readings (patient_id, value_mg_dl, measured_at, context, source, device_id, sequence_number)
    select r.patient_id, r.value_mg_dl, to_timestamp(r.at_ms / 1000), r.context, r.source, r.device_id, r.seq
    from unnest(
      ${sql.param(c.patientId)}::bigint[],
      ${sql.param(c.valueMgDl)}::numeric[],
      ${sql.param(c.measuredAtMs)}::float8[],
      ${sql.param(c.context)}::text[],
      ${sql.param(c.source)}::text[],
      ${sql.param(c.deviceId)}::text[],
      ${sql.param(c.sequenceNumber)}::integer[]
    ) as r(patient_id, value_mg_dl, at_ms, context, source, device_id, seq)`);
  return rows;
}
