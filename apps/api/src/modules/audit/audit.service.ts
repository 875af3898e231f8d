/**
 * The audit trail: `record(tx, entry)` inside the caller's transaction, admin queries, streamed
 * export and chain verification. No Fastify here (architecture: services are transport-free).
 */
import { randomInt } from 'node:crypto';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Database, Executor } from '../../db/client.js';
import type { AuditEntry, AuditRecorder } from '../../lib/audit.js';
import type { Clock } from '../../lib/clock.js';
import { SENSITIVE_KEYS } from '../../lib/logger.js';
import { GENESIS_HASH, linkHash } from './audit.chain.js';
import * as repo from './audit.repository.js';

// The audit vocabulary is shared with plugins and other modules, which may not import this module.
export type { ActorRole, AuditActor, AuditEntry, AuditOrigin, AuditOutcome } from '../../lib/audit.js';

const FORBIDDEN_DETAIL_KEYS = new Set<string>(SENSITIVE_KEYS.map((k) => k.toLowerCase()));
const MAX_USER_AGENT = 512;

function assertNoPhi(value: unknown, path = 'details'): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) assertNoPhi(item, `${path}[${i}]`);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (FORBIDDEN_DETAIL_KEYS.has(key.toLowerCase())) {
      throw new Error(`audit ${path}.${key}: sensitive values must not be stored in the audit trail`);
    }
    assertNoPhi(inner, `${path}.${key}`);
  }
}

/**
 * `details` exactly as jsonb will hand it back (Dates become strings, undefined disappears), so the
 * hash computed now matches the one the verifier recomputes from the stored row.
 */
function asStoredJson(details: Record<string, unknown>): Record<string, unknown> {
  const stored: unknown = JSON.parse(JSON.stringify(details));
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) {
    throw new Error('audit details must be a JSON object');
  }
  return stored as Record<string, unknown>;
}

export interface VerifyResult {
  ok: boolean;
  checkedRows: number;
  shards: number;
  firstBroken: { id: number | null; chainShard: number; chainSeq: number; reason: string } | null;
  verifiedAt: Date;
}

export class AuditService implements AuditRecorder {
  /**
   * The chain shard each open transaction writes to, so one transaction locks one head only. Keyed
   * by the transaction's session (its connection), which nested savepoint transactions share.
   */
  private readonly shardOf = new WeakMap<object, number>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly shards: number,
  ) {}

  /**
   * Appends one audit row in `executor`'s transaction (or in a transaction of its own when given
   * the database). The row commits or rolls back with the change it describes.
   */
  async record(executor: Executor, entry: AuditEntry): Promise<void> {
    if (!(executor instanceof PgTransaction)) {
      // A row of its own (reads, refusals) describes no change to commit with, so it commits without
      // waiting for the WAL flush: the row is written and chained before the answer leaves, and only
      // a PostgreSQL crash within ≈ 3 × wal_writer_delay (600 ms) could lose it. Waiting for the
      // flush made every audited read an fsync (bench: 26.7 ms p50 per reading page). Rows written
      // with a change stay in that change's transaction, as durable as the change.
      await this.db.transaction(async (tx) => {
        await repo.commitWithoutFlush(tx);
        await this.record(tx, entry);
      });
      return;
    }
    const details = asStoredJson(entry.details ?? {});
    assertNoPhi(details);
    const session: object = executor._.session;
    let shard = this.shardOf.get(session);
    if (shard === undefined) {
      shard = randomInt(this.shards);
      this.shardOf.set(session, shard);
    }
    const { seq, prevHash } = await repo.advanceHead(executor, shard);
    const row = {
      chainShard: shard,
      chainSeq: seq,
      prevHash,
      createdAt: this.clock.now(),
      actorId: entry.actor.id,
      actorRole: entry.actor.role,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId === undefined || entry.resourceId === null ? null : String(entry.resourceId),
      patientId: entry.patientId ?? null,
      outcome: entry.outcome,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent ? entry.userAgent.slice(0, MAX_USER_AGENT) : null,
      requestId: entry.requestId ?? null,
      details,
    };
    await repo.insertLinked(executor, { ...row, hash: linkHash(row) });
  }

  async list(filters: repo.AuditFilters, beforeId: number | undefined, limit: number) {
    const rows = await repo.listPage(this.db, filters, beforeId, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page, nextBeforeId: rows.length > limit && last ? last.id : null };
  }

  /** Yields matching rows oldest first in batches; memory stays bounded by `batchSize`. */
  async *export(filters: repo.AuditFilters, batchSize = 1000): AsyncGenerator<repo.AuditRow> {
    let afterId = 0;
    for (;;) {
      const batch = await repo.exportBatch(this.db, filters, afterId, batchSize);
      for (const row of batch) yield row;
      const last = batch[batch.length - 1];
      if (!last || batch.length < batchSize) return;
      afterId = last.id;
    }
  }

  /**
   * Walks every chain in one repeatable-read snapshot (so concurrent writers cannot show a head
   * ahead of its rows) and reports the first broken link: the lowest id among the shards' breaks.
   * Every chain means every shard with a head past genesis *and* every shard that holds rows, so a
   * row forged into an unused shard is not skipped.
   */
  async verify(batchSize = 2000): Promise<VerifyResult> {
    return this.db.transaction(
      async (tx) => {
        let checkedRows = 0;
        const breaks: NonNullable<VerifyResult['firstBroken']>[] = [];
        const heads = await repo.chainsToVerify(tx);
        for (const head of heads) {
          let expectedSeq = 1;
          let prevHash = GENESIS_HASH;
          let lastId: number | null = null;
          let broken: VerifyResult['firstBroken'] = null;
          let afterSeq = 0;
          while (!broken) {
            const batch = await repo.chainBatch(tx, head.shard, afterSeq, batchSize);
            for (const row of batch) {
              checkedRows++;
              const at = { id: row.id, chainShard: head.shard, chainSeq: row.chainSeq };
              if (row.chainSeq !== expectedSeq) broken = { ...at, reason: `missing link ${expectedSeq}` };
              else if (row.chainSeq > head.lastSeq) broken = { ...at, reason: 'link beyond the chain head' };
              else if (row.prevHash !== prevHash) broken = { ...at, reason: 'previous hash does not match' };
              else if (linkHash(row) !== row.hash) broken = { ...at, reason: 'row content does not match its hash' };
              if (broken) break;
              prevHash = row.hash;
              lastId = row.id;
              expectedSeq++;
            }
            const last = batch[batch.length - 1];
            if (!last || batch.length < batchSize) break;
            afterSeq = last.chainSeq;
          }
          if (!broken && head.lastSeq !== expectedSeq - 1) {
            broken = { id: null, chainShard: head.shard, chainSeq: expectedSeq, reason: 'chain ends before its head' };
          } else if (!broken && head.lastHash !== prevHash) {
            const at = { id: lastId, chainShard: head.shard, chainSeq: expectedSeq - 1 };
            broken = { ...at, reason: 'last link does not match the chain head' };
          }
          if (broken) breaks.push(broken);
        }
        breaks.sort((a, b) => (a.id ?? Number.MAX_SAFE_INTEGER) - (b.id ?? Number.MAX_SAFE_INTEGER));
        return {
          ok: breaks.length === 0,
          checkedRows,
          shards: heads.length,
          firstBroken: breaks[0] ?? null,
          verifiedAt: this.clock.now(),
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}
