/**
 * Rows the later platform scenarios need that the demo seed does not make, written by the harness
 * while no server runs: a patient with a year of dense readings for the CSV export, and a thousand
 * patients with credentials for the queue storm. Readings go in through the seed's own bulk insert
 * (change-feed positions, counters and day summaries maintained), from the seed's own generator.
 */
import { ColumnBuffer, DAY_MS, generateReadings, type ReadingColumns } from '@diabetify/api/dist/db/seed/generate.js';
import { insertReadings } from '@diabetify/api/dist/db/seed/index.js';
import { type BenchDatabase, benchPasswordHash, open, TIMEZONE } from './database.js';
import { benchDni, nextBenchDni } from './scenarios/platform-common.js';
import { syncPeople } from './sync-source.js';

const EXPORT_STREAM = 0x45585054; // "EXPT"
/** Large chunks: the bulk insert rebuilds the patient's day summaries after each one. */
const EXPORT_CHUNK = 100_000;

export interface ExportPatient {
  patientId: number;
  readings: number;
  /** The window holding all of them (ISO instants; `to` exclusive), within the API's 366-day maximum. */
  from: string;
  to: string;
  loadMs: number;
}

/**
 * One patient with `count` readings within a year. A year of one CGM is ≈ 100k readings, so the
 * traces of several synthetic CGM wearers are laid over each other as if the patient had worn that
 * many sensors at once (each with its own device ids): clinically absurd, but the export streams
 * rows, and a million rows in one allowed window is what its memory budget is about.
 */
export async function createExportPatient(
  db: BenchDatabase,
  seed: number,
  now: Date,
  count: number,
): Promise<ExportPatient> {
  const started = performance.now();
  await db.reopen();
  const { handle, sql } = open(db);
  const dni = nextBenchDni('export');
  const row = await sql.query<{ id: string }>(
    'insert into patients (dni, email, name, surname, timezone) values ($1, $2, $3, $4, $5) returning id::text as id',
    [dni, `bench-${dni}@bench.example`, 'Bench', 'Export', TIMEZONE],
  );
  const patientId = Number(row.rows[0]?.id);
  const days = 365;
  const buffer = new ColumnBuffer();
  let written = 0;
  const flush = async (c: ReadingColumns) => {
    written += await insertReadings(handle.db, c);
  };
  for (const [i, person] of syncPeople(seed, EXPORT_STREAM, TIMEZONE, 16).entries()) {
    for (const r of generateReadings(person, { now, days })) {
      if (written + buffer.length >= count) break;
      buffer.push(patientId, { ...r, deviceId: `E${i}-${r.deviceId}` });
      if (buffer.length >= EXPORT_CHUNK) await flush(buffer.take());
    }
    if (written + buffer.length >= count) break;
  }
  if (buffer.length > 0) await flush(buffer.take());
  if (written < count) throw new Error(`only ${written} export readings generated for ${count}`);
  // As autovacuum would leave it: hint bits set, visibility map and statistics fresh.
  await sql.query('vacuum (analyze) readings');
  await db.release();
  return {
    patientId,
    readings: written,
    from: new Date(now.getTime() - days * DAY_MS).toISOString(),
    to: new Date(now.getTime() + 1000).toISOString(),
    loadMs: performance.now() - started,
  };
}

/** `count` patients signing in with the bench password (the shared hash); returns their DNIs. */
export async function createQueuePatients(db: BenchDatabase, count: number): Promise<string[]> {
  await db.reopen();
  const { sql } = open(db);
  const dnis = Array.from({ length: count }, (_, i) => benchDni('queue', i + 1));
  await sql.query(
    `with created as (
       insert into patients (dni, email, name, surname, timezone)
       select d, 'bench-' || d || '@bench.example', 'Bench', 'Queue', $2 from unnest($1::text[]) as d
       returning id)
     insert into credentials (patient_id, password_hash, password_algo)
     select id, $3, 'argon2id' from created`,
    [dnis, TIMEZONE, await benchPasswordHash()],
  );
  await db.release();
  return dnis;
}

/**
 * Takes the API-synced readings back out so the next size is loaded onto the table as measured
 * (PostgreSQL only: PGlite measures one size). The patients stay; the audit trail names them.
 */
export async function removeReadings(db: BenchDatabase, patientIds: number[]): Promise<void> {
  if (patientIds.length === 0) return;
  const { sql } = open(db);
  await sql.query('delete from readings where patient_id = any($1::bigint[])', [patientIds]);
  await sql.query('delete from reading_day_summaries where patient_id = any($1::bigint[])', [patientIds]);
}
