/** The only file of the api-keys module that touches the query builder. */
import { and, count, desc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { apiKeys, patients } from '../../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function patientExists(db: Executor, id: number): Promise<boolean> {
  const rows = await db.select({ id: patients.id }).from(patients).where(eq(patients.id, id));
  return rows.length === 1;
}

/** Serialises key creation per patient (the active-key limit), inside the caller's transaction. */
export async function lockPatient(tx: Executor, id: number): Promise<void> {
  await tx.select({ id: patients.id }).from(patients).where(eq(patients.id, id)).for('update');
}

export async function insertKey(tx: Executor, values: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [row] = await tx.insert(apiKeys).values(values).returning();
  if (!row) throw new Error('api key insert failed');
  return row;
}

/** Keys that still authenticate at `now` (not revoked, not past their expiry). */
const activeAt = (now: Date) =>
  and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)));

export async function countActive(db: Executor, patientId: number, now: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.patientId, patientId), activeAt(now)));
  return row?.n ?? 0;
}

export async function listKeys(db: Executor, patientId: number, limit: number, offset: number) {
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.patientId, patientId))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.patientId, patientId)),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** One key of one patient, row-locked when `forUpdate` (rotation). */
export async function findKey(db: Executor, patientId: number, keyId: number, forUpdate = false) {
  const query = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.patientId, patientId)));
  const [row] = await (forUpdate ? query.for('update') : query);
  return row ?? null;
}

export async function revokeKey(tx: Executor, patientId: number, keyId: number, at: Date) {
  const [row] = await tx
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.patientId, patientId), isNull(apiKeys.revokedAt)))
    .returning();
  return row ?? null;
}

export async function setExpiry(tx: Executor, keyId: number, at: Date): Promise<ApiKeyRow | null> {
  const [row] = await tx.update(apiKeys).set({ expiresAt: at }).where(eq(apiKeys.id, keyId)).returning();
  return row ?? null;
}

/** The key behind a presented secret, with its patient's blocked flag. */
export async function findByHash(db: Executor, keyHash: string) {
  const [row] = await db
    .select({
      id: apiKeys.id,
      patientId: apiKeys.patientId,
      lastUsedAt: apiKeys.lastUsedAt,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      blocked: patients.blocked,
    })
    .from(apiKeys)
    .innerJoin(patients, eq(patients.id, apiKeys.patientId))
    .where(eq(apiKeys.keyHash, keyHash));
  return row ?? null;
}

/** Records use, unless another request did within `minGapMs` (one write per key per minute at most). */
export async function touchKey(db: Executor, keyId: number, at: Date, minGapMs: number): Promise<void> {
  const before = new Date(at.getTime() - minGapMs);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, before))));
}
