/**
 * Hash chaining of audit rows. Each row's hash covers its predecessor's hash and every stored
 * field, in a canonical serialisation that the verifier can recompute from the row as read back.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedRow {
  chainShard: number;
  chainSeq: number;
  prevHash: string;
  createdAt: Date;
  actorId: number | null;
  actorRole: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  patientId: number | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth: jsonb does not keep insertion order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function linkHash(row: ChainedRow): string {
  const body = canonicalJson([
    row.chainShard,
    row.chainSeq,
    row.createdAt.toISOString(),
    row.actorId,
    row.actorRole,
    row.action,
    row.resourceType,
    row.resourceId,
    row.patientId,
    row.outcome,
    row.ip,
    row.userAgent,
    row.requestId,
    row.details,
  ]);
  return createHash('sha256').update(row.prevHash).update('\n').update(body).digest('hex');
}
