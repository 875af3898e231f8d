/**
 * The one query interface the harness uses on either database: a `pg` pool on PostgreSQL, the
 * in-process engine on PGlite (one connection; concurrent queries queue inside it, as they do
 * in the server's embedded mode).
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type DbTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

export interface SqlClient {
  /** `name` makes it a prepared statement on PostgreSQL (parsed once per connection). */
  query<T = Record<string, unknown>>(
    text: string,
    values?: unknown[],
    name?: string,
  ): Promise<{ rows: T[]; rowCount: number }>;
  end(): Promise<void>;
}

export function poolClient(pool: pg.Pool): SqlClient {
  return {
    async query<T>(text: string, values: unknown[] = [], name?: string) {
      const r = await pool.query(name ? { name, text, values } : { text, values });
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    end: () => pool.end(),
  };
}

export function pgliteClient(client: PGlite): SqlClient {
  return {
    async query<T>(text: string, values: unknown[] = []) {
      const r = await client.query<T>(text, values);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    end: () => client.close(),
  };
}

export async function connect(target: DbTarget, max: number): Promise<SqlClient> {
  if (target.kind === 'postgres') return poolClient(new pg.Pool({ connectionString: target.url, max }));
  return pgliteClient(await PGlite.create(target.dataDir));
}
