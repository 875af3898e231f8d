/**
 * `Idempotency-Key` (issue 3): the first successful answer to (caller, key) is stored for 24 h and
 * replayed to any retry with the same key; the same key with another body or route is 422.
 *
 * The key row is claimed inside the transaction of the write it guards. A concurrent request with
 * the same key blocks on the primary key until the first commits (then replays its answer) or rolls
 * back (then runs itself): a retry can never run the write twice. Errors are not stored — the
 * transaction that would store them rolled back — so a corrected retry with the same key works.
 */
import { createHash } from 'node:crypto';
import type { Database, Executor } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import * as repo from './readings.idempotency.repository.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface IdempotencyClaim {
  /** `patient:12`, `staff:3`, `device:7` — keys never collide between callers. */
  scope: string;
  key: string;
  /** Method and route pattern. */
  route: string;
  /** Canonical hash of what the request asks for. */
  requestHash: string;
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export class IdempotencyMismatchError extends AppError {
  constructor() {
    super(
      422,
      'idempotency_key_mismatch',
      'Idempotency key reused',
      'This Idempotency-Key was used for a different request; use a new key for a new request.',
    );
  }
}

/** Stable JSON (sorted keys) hashed: the same request in another key order is the same request. */
export function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('base64url');
}

/**
 * Claims the key in `tx`. Returns the stored answer when this is a replay (the caller returns it
 * as is), or null when the caller should do the work and then `complete` the claim.
 */
export async function claim(tx: Executor, c: IdempotencyClaim, nowMs: number): Promise<StoredResponse | null> {
  const expiresAt = new Date(nowMs + IDEMPOTENCY_TTL_MS);
  // Status 0 and an empty body until `complete` fills them in the same transaction (never visible before).
  const placeholder = { ...c, statusCode: 0, response: {}, expiresAt, createdAt: new Date(nowMs) };
  if (await repo.insertIfAbsent(tx, placeholder)) return null;
  const row = await repo.lockKey(tx, c);
  if (!row) {
    // Deleted (expired and purged) between the two statements: claim it afresh.
    await repo.insert(tx, placeholder);
    return null;
  }
  if (row.expiresAt.getTime() <= nowMs) {
    await repo.replace(tx, c, placeholder);
    return null;
  }
  if (row.route !== c.route || row.requestHash !== c.requestHash) throw new IdempotencyMismatchError();
  return { statusCode: row.statusCode, body: row.response };
}

/** Stores the answer of a claimed key, in the same transaction as the write. */
export async function complete(tx: Executor, c: IdempotencyClaim, answer: StoredResponse): Promise<void> {
  await repo.storeAnswer(tx, c, answer.statusCode, answer.body);
}

/** Deletes expired keys in bounded chunks; returns how many went. */
export async function purgeExpired(db: Database, nowMs: number, chunk = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await repo.deleteExpiredChunk(db, new Date(nowMs), chunk);
    total += n;
    if (n < chunk) return total;
  }
}
