/** The `idempotency_keys` table: one row per (caller scope, key), claimed inside the guarded write. */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema/index.js';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;
export type NewIdempotencyRow = typeof idempotencyKeys.$inferInsert;
type KeyRef = { scope: string; key: string };

const keyIs = (k: KeyRef) => and(eq(idempotencyKeys.scope, k.scope), eq(idempotencyKeys.key, k.key));

/** Inserts the row unless the key exists; true when this call inserted it. */
export async function insertIfAbsent(tx: Executor, row: NewIdempotencyRow): Promise<boolean> {
  const inserted = await tx
    .insert(idempotencyKeys)
    .values(row)
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return inserted.length > 0;
}

export async function insert(tx: Executor, row: NewIdempotencyRow): Promise<void> {
  await tx.insert(idempotencyKeys).values(row);
}

/** The key's row, locked until the transaction ends (a concurrent claim waits here). */
export async function lockKey(tx: Executor, k: KeyRef): Promise<IdempotencyRow | null> {
  const [row] = await tx.select().from(idempotencyKeys).where(keyIs(k)).for('update');
  return row ?? null;
}

export async function replace(tx: Executor, k: KeyRef, row: NewIdempotencyRow): Promise<void> {
  await tx.update(idempotencyKeys).set(row).where(keyIs(k));
}

export async function storeAnswer(tx: Executor, k: KeyRef, statusCode: number, body: unknown): Promise<void> {
  await tx
    .update(idempotencyKeys)
    .set({ statusCode, response: sql`${JSON.stringify(body)}::jsonb` })
    .where(keyIs(k));
}

/** Deletes at most `chunk` keys expired before `now`; returns how many went. */
export async function deleteExpiredChunk(db: Database, now: Date, chunk: number): Promise<number> {
  const result = await db.execute(sql`
    delete from idempotency_keys where ctid in (
      select ctid from idempotency_keys where ${lt(idempotencyKeys.expiresAt, now)} limit ${chunk})`);
  return Number(
    (result as { rowCount?: number | null; affectedRows?: number }).rowCount ??
      (result as { affectedRows?: number }).affectedRows ??
      0,
  );
}
