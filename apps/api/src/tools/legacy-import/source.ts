/**
 * The legacy databases, seen through the one thing the importer needs: run a query, get rows.
 * Adapters for node-postgres (the CLI) and PGlite (tests). Every query casts what it selects to
 * types both drivers hand back identically (int4, text, bool, float8, text[], json): no int8
 * (strings vs numbers), no `timestamp`/`date` (node-postgres would read them in the process's
 * local zone).
 */
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

export interface LegacySource {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** The three old databases; they may be one and the same. */
export interface LegacySources {
  login: LegacySource;
  glucose: LegacySource;
  appointments: LegacySource;
}

export function pgSource(client: pg.Client | pg.Pool): LegacySource {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query(text, params)).rows as T[];
    },
  };
}

export function pgliteSource(client: PGlite): LegacySource {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.query<T>(text, params)).rows;
    },
  };
}

/** Columns of a table in the search path (empty when the table does not exist). */
export async function columnsOf(source: LegacySource, table: string): Promise<Set<string>> {
  const rows = await source.query<{ name: string }>(
    `select column_name::text as name from information_schema.columns
     where table_name = $1 and table_schema = any(current_schemas(false))`,
    [table],
  );
  return new Set(rows.map((r) => r.name));
}

/** Rows of `table` after `after` by an integer key, in key order: the keyset chunking every step uses. */
export function keysetQuery(select: string, table: string, key: string, limit: number): string {
  return `select ${select} from ${table} where ${key} > $1 order by ${key} limit ${limit}`;
}

/**
 * The queue configuration table's name was never documented (§C.3 says "queue config (max size,
 * later an open flag)"). These are the names looked for, first match wins.
 */
export const QUEUE_CONFIG_TABLES = ['queue_config', 'appointment_queue_config', 'queue_settings', 'queue_size'];
export const QUEUE_SIZE_COLUMNS = ['max_size', 'size', 'queue_size', 'capacity'];
export const QUEUE_OPEN_COLUMNS = ['open', 'is_open', 'queue_open'];

export interface QueueConfigShape {
  table: string;
  size: string;
  open: string | null;
}

export async function findQueueConfig(source: LegacySource): Promise<QueueConfigShape | null> {
  for (const table of QUEUE_CONFIG_TABLES) {
    const cols = await columnsOf(source, table);
    const size = QUEUE_SIZE_COLUMNS.find((c) => cols.has(c));
    if (size) return { table, size, open: QUEUE_OPEN_COLUMNS.find((c) => cols.has(c)) ?? null };
  }
  return null;
}

/** `"quoted"` identifier for the few names that come from detection. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
