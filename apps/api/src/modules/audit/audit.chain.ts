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

/**
 * The stored content of an audit row, in the one order both the hash and the exports use. A column
 * added to the audit table is added here once: the hash then covers it and the CSV export shows it.
 * (The order is part of every stored hash: append, never reorder.)
 */
export const AUDIT_CONTENT_COLUMNS = [
  'createdAt',
  'actorId',
  'actorRole',
  'action',
  'resourceType',
  'resourceId',
  'patientId',
  'outcome',
  'ip',
  'userAgent',
  'requestId',
  'details',
] as const satisfies readonly (keyof ChainedRow)[];

export type AuditContentColumn = (typeof AUDIT_CONTENT_COLUMNS)[number];

export function linkHash(row: ChainedRow): string {
  const content = AUDIT_CONTENT_COLUMNS.map((c) => {
    const v = row[c];
    return v instanceof Date ? v.toISOString() : v;
  });
  const body = canonicalJson([row.chainShard, row.chainSeq, ...content]);
  return createHash('sha256').update(row.prevHash).update('\n').update(body).digest('hex');
}
