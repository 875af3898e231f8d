/**
 * The only place that knows whether we run on embedded PGlite or on a PostgreSQL pool
 * (architecture: `db/client.ts` is the only driver switch). Everything else sees `Database`.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { migrationsFolder } from './paths.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** What repositories take as their first argument: the database or an open transaction. */
export type Executor = Database | Transaction;

/**
 * Rows of a raw `sql` query. Both drivers answer `{ rows }`; the type PgDatabase gives `execute` is
 * driver-neutral (`unknown`), so the cast lives here once.
 */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return (result as unknown as { rows: T[] }).rows;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface DbHandle {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Database;
  /** Runs `select 1`; rejects if the database does not answer within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  poolStats(): PoolStats;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** The underlying pg.Pool (postgres) for bulk paths such as COPY; null on PGlite. */
  readonly pool: pg.Pool | null;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createPgliteHandle(client: PGlite): DbHandle {
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    kind: 'pglite',
    db,
    pool: null,
    async ping(timeoutMs) {
      await withTimeout(client.query('select 1'), timeoutMs, 'database ping');
    },
    // PGlite is one in-process connection: report it as a pool of one.
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    async migrate() {
      await migratePglite(db as never, { migrationsFolder });
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

export function createPostgresHandle(
  options: { url: string; poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number },
  log?: Logger,
): DbHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Server-side bound on every statement, and a client-side one slightly above it for a DB that
    // stops answering altogether (SIGSTOP, partition): no request waits forever (security.md RL-5).
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    keepAlive: true,
    application_name: 'diabetify',
  });
  // Idle clients report through the pool; checked-out clients need their own listener or a
  // backend termination (57P01) crashes the process (security.md F4).
  pool.on('error', (err) => log?.warn({ err }, 'idle database client error'));
  pool.on('connect', (client) => client.on('error', (err) => log?.warn({ err }, 'database client error')));
  const db = drizzlePg({ client: pool, schema }) as unknown as Database;
  return {
    kind: 'postgres',
    db,
    pool,
    async ping(timeoutMs) {
      await withTimeout(pool.query('select 1'), timeoutMs, 'database ping');
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: options.poolMax,
    }),
    async migrate() {
      await migratePg(db as never, { migrationsFolder });
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

/** Opens the configured database. PGlite creates its data folder on first use. */
export async function openDatabase(config: Config, log?: Logger): Promise<DbHandle> {
  if (config.db.kind === 'postgres') return createPostgresHandle(config.db, log);
  mkdirSync(config.db.dataDir, { recursive: true });
  const client = await PGlite.create(config.db.dataDir);
  return createPgliteHandle(client);
}

/** Convenience for scripts: `select 1` through the query builder. */
export async function selectOne(db: Executor): Promise<void> {
  await db.execute(sql`select 1`);
}
