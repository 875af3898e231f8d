/**
 * Ceiling of batch sync: 1,000-reading multi-row inserts with device dedup, several devices at
 * once, into the loaded table with all its indexes (the schema's dedup keys included). Each caller
 * owns a synthetic CGM patient (sync-source.ts) and numbers its rows' change-feed positions
 * itself; each batch repeats 10 % of the previous one, which ON CONFLICT must skip.
 *
 * The next batch is built between queries (≈ 1 ms of generator time per batch, outside the
 * latency sample) instead of all up front: memory stays flat however fast the machine is.
 */
import { ColumnBuffer } from '@diabetify/api/dist/db/seed/generate.js';
import type { BatchSource } from './batch-source.js';
import { Samples } from './samples.js';
import { INSERT_SQL } from './sql.js';
import type { SqlClient } from './sql-client.js';
import { batchSource, syncPeople } from './sync-source.js';
import type { DbTask, InsertResult } from './tasks.js';

const SYNC_STREAM = 0x53594e43; // "SYNC"

interface Device {
  patientId: number;
  source: BatchSource;
  /** Last change-feed position handed out for the patient. */
  seq: number;
}

async function devices(pool: SqlClient, task: DbTask, o: NonNullable<DbTask['insert']>): Promise<Device[]> {
  const out: Device[] = [];
  for (const [i, p] of syncPeople(task.seed, SYNC_STREAM, task.timezone, o.concurrency).entries()) {
    const tag = `bench-sync-${process.pid}-${i}`;
    const row = await pool.query<{ id: string }>(
      'insert into patients (dni, email, name, surname, timezone) values ($1, $2, $3, $4, $5) returning id::text as id',
      [tag, `${tag}@bench.invalid`, p.name, p.surname, task.timezone],
    );
    out.push({
      patientId: Number(row.rows[0]?.id),
      source: batchSource(p, task.windowEnd, o.batchRows, o.duplicateShare),
      seq: 0,
    });
  }
  return out;
}

export async function insertCeiling(
  pool: SqlClient,
  task: DbTask,
  o: NonNullable<DbTask['insert']>,
): Promise<InsertResult> {
  const list = await devices(pool, task, o);
  const samples = new Samples();
  let offered = 0;
  let inserted = 0;
  const warmEnd = performance.now() + task.warmupMs;
  const end = warmEnd + task.durationMs / 2;
  const caller = async (d: Device) => {
    for (let now = performance.now(); now < end && !d.source.done; now = performance.now()) {
      const buffer = new ColumnBuffer();
      for (const r of d.source.next()) buffer.push(d.patientId, r);
      const c = buffer.take();
      const changeSeq = c.patientId.map(() => ++d.seq);
      const started = performance.now();
      const r = await pool.query(
        INSERT_SQL,
        [c.patientId, c.valueMgDl, c.measuredAtMs, c.context, c.source, c.deviceId, c.sequenceNumber, changeSeq],
        'insert',
      );
      if (started >= warmEnd) {
        samples.add(performance.now() - started);
        offered += c.patientId.length;
        inserted += r.rowCount;
      }
    }
  };
  await Promise.all(list.map(caller));
  // Until the last batch completed: batches started before the end count, with their full time.
  const seconds = (performance.now() - warmEnd) / 1000;
  const batch = samples.summary(seconds);
  if (o.cleanup) {
    // The platform's scenarios and the next load get the table as it was: the synthetic rows go.
    const ids = list.map((d) => d.patientId);
    await pool.query('delete from readings where patient_id = any($1::bigint[])', [ids]);
    await pool.query('delete from patients where id = any($1::bigint[])', [ids]);
  }
  return {
    batches: batch.count,
    readingsPerSecond: seconds > 0 ? offered / seconds : 0,
    batch,
    skippedShare: offered > 0 ? 1 - inserted / offered : 0,
  };
}
