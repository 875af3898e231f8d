import { and, desc, eq, gt, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { auditChainHeads, auditEvents } from '../../db/schema/index.js';
import { type ChainedRow, GENESIS_HASH } from './audit.chain.js';

export type AuditRow = typeof auditEvents.$inferSelect;
export type ChainHead = typeof auditChainHeads.$inferSelect;

export interface AuditFilters {
  actorId?: number;
  actorRole?: string;
  patientId?: number;
  action?: string;
  resourceType?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
}

/**
 * Takes the next link of `shard`: increments its sequence and returns the previous hash. The row
 * lock this UPDATE takes is held until the caller's transaction ends, which orders the shard.
 */
export async function advanceHead(tx: Executor, shard: number): Promise<{ seq: number; prevHash: string }> {
  const [head] = await tx
    .update(auditChainHeads)
    .set({ lastSeq: sql`${auditChainHeads.lastSeq} + 1` })
    .where(eq(auditChainHeads.shard, shard))
    .returning({ seq: auditChainHeads.lastSeq, prevHash: auditChainHeads.lastHash });
  if (!head) throw new Error(`audit chain head ${shard} is missing`);
  return head;
}

/** This transaction's commit returns before its WAL is flushed (see AuditService.record). */
export async function commitWithoutFlush(tx: Executor): Promise<void> {
  await tx.execute(sql`set local synchronous_commit = off`);
}

export async function insertLinked(tx: Executor, row: ChainedRow & { hash: string }): Promise<void> {
  await tx.insert(auditEvents).values(row);
  await tx.update(auditChainHeads).set({ lastHash: row.hash }).where(eq(auditChainHeads.shard, row.chainShard));
}

function whereOf(filters: AuditFilters): SQL[] {
  const where: SQL[] = [];
  if (filters.actorId !== undefined) where.push(eq(auditEvents.actorId, filters.actorId));
  if (filters.actorRole !== undefined) where.push(eq(auditEvents.actorRole, filters.actorRole));
  if (filters.patientId !== undefined) where.push(eq(auditEvents.patientId, filters.patientId));
  if (filters.action !== undefined) where.push(eq(auditEvents.action, filters.action));
  if (filters.resourceType !== undefined) where.push(eq(auditEvents.resourceType, filters.resourceType));
  if (filters.outcome !== undefined) where.push(eq(auditEvents.outcome, filters.outcome));
  if (filters.from !== undefined) where.push(gte(auditEvents.createdAt, filters.from));
  if (filters.to !== undefined) where.push(lt(auditEvents.createdAt, filters.to));
  return where;
}

/** Newest first, keyset on id (ids only grow). */
export async function listPage(
  db: Executor,
  filters: AuditFilters,
  beforeId: number | undefined,
  limit: number,
): Promise<AuditRow[]> {
  const where = whereOf(filters);
  if (beforeId !== undefined) where.push(lt(auditEvents.id, beforeId));
  return db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}

/** Oldest first from `afterId`, for streaming exports in constant memory. */
export async function exportBatch(db: Executor, filters: AuditFilters, afterId: number, limit: number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(...whereOf(filters), gt(auditEvents.id, afterId)))
    .orderBy(auditEvents.id)
    .limit(limit);
}

export async function chainBatch(db: Executor, shard: number, afterSeq: number, limit: number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.chainShard, shard), gt(auditEvents.chainSeq, afterSeq)))
    .orderBy(auditEvents.chainSeq)
    .limit(limit);
}

/**
 * Every chain to verify: each head that has at least one link (whatever the shard count is
 * configured to today) plus each shard that holds rows, taken as empty (genesis) when its head
 * says it has none, so that rows appended outside the head are reported rather than skipped.
 */
export async function chainsToVerify(db: Executor): Promise<ChainHead[]> {
  const heads = await db.select().from(auditChainHeads).where(gt(auditChainHeads.lastSeq, 0));
  const withRows = await db.selectDistinct({ shard: auditEvents.chainShard }).from(auditEvents);
  const byShard = new Map(heads.map((h) => [h.shard, h]));
  for (const { shard } of withRows) {
    if (!byShard.has(shard)) byShard.set(shard, { shard, lastSeq: 0, lastHash: GENESIS_HASH });
  }
  return [...byShard.values()].sort((a, b) => a.shard - b.shard);
}
