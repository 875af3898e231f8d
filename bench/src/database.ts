/**
 * The run's databases. PostgreSQL: a throwaway database created on BENCH_DATABASE_URL's server
 * and dropped at the end whatever happens. PGlite (optional): a throwaway data folder. Both are
 * migrated with the platform's own migrations and grown to each size with the demo seeder — the
 * same generator, the same bulk insert.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createPgliteHandle, createPostgresHandle, type DbHandle } from '@diabetify/api/dist/db/client.js';
import { generatePatients, generateStaff, type SeedResult, seedDemoClinic } from '@diabetify/api/dist/db/seed/index.js';
import { hashPassword } from '@diabetify/api/dist/modules/auth/auth.passwords.js';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { DEDUP_INDEXES, DEDUP_INDEXES_SQL } from './sql.js';
import { type DbTarget, pgliteClient, poolClient, type SqlClient } from './sql-client.js';

/** Every seeded account signs in with this (one shared argon2id hash, as the demo seed does). */
export const BENCH_PASSWORD = 'Bench-Diabetify-2026!';
export const TIMEZONE = 'America/Argentina/Buenos_Aires';

/** Readings a patient contributes per day, before the first load tells us (≈ 60 % wear a CGM). */
const FIRST_GUESS_PER_DAY = 175;

export interface BenchDatabase {
  kind: 'postgres' | 'pglite';
  /** Database name or data folder, for messages. */
  name: string;
  /** How the server and the worker reach it. */
  target: DbTarget;
  /** Open while loading; PGlite must be closed before the server or the worker opens the folder. */
  handle: DbHandle | null;
  sql: SqlClient | null;
  /** Closes the harness's own connection (PGlite: releases the folder). */
  release(): Promise<void>;
  /** Opens it again after `release` (PGlite: only while no server or worker holds the folder). */
  reopen(): Promise<void>;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function describeServer(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}`;
}

async function prepare(db: BenchDatabase): Promise<BenchDatabase> {
  try {
    await db.handle?.migrate();
    const sql = db.sql as SqlClient;
    // The sync scenarios measure dedup against the schema's own keys (migration 0004); without
    // them their numbers would mean something else.
    const found = await sql.query<{ indexname: string }>(DEDUP_INDEXES_SQL, [[...DEDUP_INDEXES]]);
    const missing = DEDUP_INDEXES.filter((name) => !found.rows.some((r) => r.indexname === name));
    if (missing.length > 0) throw new Error(`the migrated readings table lacks its dedup keys: ${missing.join(', ')}`);
    return db;
  } catch (err) {
    await db.drop();
    throw err;
  }
}

export async function createPostgresDatabase(adminUrl: string): Promise<BenchDatabase> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 12);
  const name = `diabetify_bench_${stamp}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  // Loading, VACUUM and index builds on 10M rows run for minutes: no statement timeout here.
  const handle = createPostgresHandle({ url, poolMax: 4, connectTimeoutMs: 10_000, statementTimeoutMs: 3_600_000 });
  let dropped = false;
  const db: BenchDatabase = {
    kind: 'postgres',
    name,
    target: { kind: 'postgres', url },
    handle,
    sql: poolClient(handle.pool as pg.Pool),
    // A pool is shared with the server and the worker: it never needs letting go.
    release: async () => {},
    reopen: async () => {},
    async drop() {
      if (dropped) return;
      dropped = true;
      await handle.close().catch(() => {});
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
  return prepare(db);
}

/** `root/pglite` is where the server looks when DATA_DIR=root and DATABASE_URL is unset. */
export async function createPgliteDatabase(root: string): Promise<BenchDatabase> {
  const dataDir = path.join(root, 'pglite');
  mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir);
  const db: BenchDatabase = {
    kind: 'pglite',
    name: dataDir,
    target: { kind: 'pglite', dataDir },
    handle: createPgliteHandle(client),
    sql: pgliteClient(client),
    async release() {
      await db.handle?.close();
      db.handle = null;
      db.sql = null;
    },
    async reopen() {
      if (db.handle) return;
      const again = await PGlite.create(dataDir);
      db.handle = createPgliteHandle(again);
      db.sql = pgliteClient(again);
    },
    async drop() {
      await db.release();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return prepare(db);
}

export interface LoadState {
  patients: number;
  readings: number;
  /** Seeder time so far (insert), and VACUUM ANALYZE time after each size. */
  loadMs: number;
  vacuumMs: number;
}

export interface LoadOptions {
  seed: number;
  days: number;
  now: Date;
  progress: boolean;
}

let passwordHash: Promise<string> | undefined;

/** The one argon2id hash of BENCH_PASSWORD every seeded or synthetic account shares. */
export function benchPasswordHash(): Promise<string> {
  passwordHash ??= hashPassword(BENCH_PASSWORD);
  return passwordHash;
}

export function open(db: BenchDatabase): { handle: DbHandle; sql: SqlClient } {
  if (!db.handle || !db.sql) throw new Error(`${db.name} is released`);
  return { handle: db.handle, sql: db.sql };
}

/**
 * Adds patients (each with `days` of readings) until the table holds about `target` readings:
 * the seeder only ever appends patients, so sizes grow on the same first patients and the
 * measured CGM patient is the same at every size. Stops within half a patient of the target.
 */
export async function growTo(db: BenchDatabase, state: LoadState, target: number, o: LoadOptions): Promise<void> {
  const { handle, sql } = open(db);
  const hash = await benchPasswordHash();
  const heartbeat = o.progress || db.kind === 'pglite' ? null : startHeartbeat(sql, state.readings, target);
  try {
    await grow(handle, state, target, o, hash);
  } finally {
    if (heartbeat) clearInterval(heartbeat);
  }
  const started = performance.now();
  // Fresh statistics and visibility map, as autovacuum would leave a table at rest.
  await sql.query('vacuum (analyze) readings');
  await sql.query('analyze');
  state.vacuumMs += performance.now() - started;
}

const HEARTBEAT_MS = 15_000;

/**
 * Without a terminal the seeder draws no progress bar: a line every 15 s instead, from the
 * table's insert counter (cheap, unlike count(*) on millions of rows; approximate until commit).
 */
function startHeartbeat(sql: SqlClient, from: number, target: number): NodeJS.Timeout {
  const started = performance.now();
  const base = sql.query<{ n: string }>(
    "select n_tup_ins::text as n from pg_stat_user_tables where relname = 'readings'",
  );
  return setInterval(() => {
    void Promise.all([
      base,
      sql.query<{ n: string }>("select n_tup_ins::text as n from pg_stat_user_tables where relname = 'readings'"),
    ])
      .then(([b, now]) => {
        const added = Number(now.rows[0]?.n ?? 0) - Number(b.rows[0]?.n ?? 0);
        const rate = added / ((performance.now() - started) / 1000);
        process.stderr.write(
          `  … ${(from + added).toLocaleString('en-US')} / ${target.toLocaleString('en-US')} readings (${Math.round(rate).toLocaleString('en-US')}/s)\n`,
        );
      })
      .catch(() => {});
  }, HEARTBEAT_MS).unref();
}

async function grow(handle: DbHandle, state: LoadState, target: number, o: LoadOptions, hash: string): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const perPatient = state.patients > 0 ? state.readings / state.patients : FIRST_GUESS_PER_DAY * o.days;
    const add = Math.round((target - state.readings) / perPatient);
    if (add < 1) break;
    const result: SeedResult = await seedDemoClinic(handle, {
      patients: state.patients + add,
      days: o.days,
      seed: o.seed,
      now: o.now,
      timezone: TIMEZONE,
      progress: o.progress,
      passwordHash: hash,
    });
    state.patients += result.patients;
    state.readings += result.readings;
    state.loadMs += result.ms;
    if (result.patients === 0) break;
  }
}

/** What the scenarios need from the loaded data, read before any server holds the database. */
export interface DataFacts {
  /** The first CGM wearer of the seed: whose pages and statistics every size measures. */
  cgmPatientId: number;
  /** Its DNI: the reading pages are requested with the patient's own token. */
  cgmPatientDni: string;
  /** DNIs of seeded patients with a credential, for the login scenarios. */
  accounts: string[];
  /** Seeded staff usernames (same password): setup as admin, reviews and decisions as clinician. */
  staff: { admin: string; clinician: string };
  version: string;
}

export async function dataFacts(db: BenchDatabase, seed: number): Promise<DataFacts> {
  const { sql } = open(db);
  const person = generatePatients(seed, 64, { timezone: TIMEZONE }).find((p) => p.glucose.cgm);
  if (!person) throw new Error(`seed ${seed} has no CGM patient among its first 64`);
  const row = await sql.query<{ id: string }>('select id::text as id from patients where dni = $1', [person.dni]);
  const id = row.rows[0]?.id;
  if (id === undefined) throw new Error(`the CGM patient ${person.index} of seed ${seed} was not loaded`);
  const accounts = await sql.query<{ dni: string }>(
    'select p.dni from patients p join credentials c on c.patient_id = p.id order by p.id limit 50',
  );
  const team = generateStaff(seed);
  const admin = team.find((s) => s.roles.includes('admin'))?.username;
  const clinician = team.find((s) => s.roles.includes('clinician'))?.username;
  if (!admin || !clinician) throw new Error(`seed ${seed} has no admin or no clinician`);
  const v = await sql.query<{ v: string; sb: string; sc: string }>(
    "select current_setting('server_version') as v, current_setting('shared_buffers') as sb, current_setting('synchronous_commit') as sc",
  );
  const s = v.rows[0];
  return {
    cgmPatientId: Number(id),
    cgmPatientDni: person.dni,
    accounts: accounts.rows.map((r) => r.dni),
    staff: { admin, clinician },
    version: s ? `${s.v} (shared_buffers ${s.sb}, synchronous_commit ${s.sc})` : 'unknown',
  };
}
