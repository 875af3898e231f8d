/**
 * Barriers for concurrency tests: wait until a concurrent writer is observably blocked behind an
 * open transaction, instead of sleeping and hoping it got there (a loaded machine makes any sleep
 * too short, and an idle one makes it slow).
 */
import { sql } from 'drizzle-orm';
import { type DbHandle, queryRows } from '../src/db/client.js';

/** Enough polls for a loaded CI machine; each one is a database round trip, not a timer. */
const MAX_POLLS = 20_000;

/**
 * PostgreSQL: resolves once some session of this database waits on a lock (pg_stat_activity).
 * PGlite is one connection, so a statement a writer has issued cannot run before the open
 * transaction ends: there `issued` (the writer reached the database) is the barrier.
 */
export async function untilBlocked(handle: DbHandle, issued?: Promise<unknown>): Promise<void> {
  if (handle.kind === 'pglite') {
    if (!issued) throw new Error('untilBlocked on PGlite needs the writer’s issued signal');
    await issued;
    return;
  }
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    const [row] = await queryRows<{ waiting: number }>(
      handle.db,
      sql`select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((row?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no session of this database started waiting on a lock');
}

/**
 * `target` with a signal: `issued` resolves when `method` is first read on it, i.e. when the code
 * under test starts a database call through it.
 */
export function watchCalls<T extends object>(target: T, method: keyof T): { watched: T; issued: Promise<void> } {
  let signal = () => {};
  const issued = new Promise<void>((resolve) => {
    signal = resolve;
  });
  const watched = new Proxy(target, {
    get(obj, key, receiver) {
      if (key === method) signal();
      return Reflect.get(obj, key, receiver);
    },
  });
  return { watched, issued };
}
