import { AuditEvent, AuditQuery, AuditVerification, KeysetPage } from '@diabetify/contracts';
import { Type } from 'typebox';
import type { RoutePolicy } from '../../lib/principal.js';
import { AUDIT_CONTENT_COLUMNS } from './audit.chain.js';
import type { AuditRow } from './audit.repository.js';

export { AuditQuery, AuditVerification };
export const AuditPage = KeysetPage(AuditEvent);

export const ExportQuery = Type.Object(
  {
    ...Type.Omit(AuditQuery, ['cursor', 'limit']).properties,
    format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'json' }),
  },
  { additionalProperties: false },
);

export const ADMIN_ONLY: RoutePolicy = { audience: 'backoffice', roles: ['admin'] };

export function toAuditEvent(row: AuditRow) {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    actor: { id: row.actorId, role: row.actorRole },
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    patientId: row.patientId,
    outcome: row.outcome as 'success' | 'denied' | 'failure' | 'error',
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    details: row.details,
    chain: { shard: row.chainShard, seq: row.chainSeq, hash: row.hash },
  };
}

/** CSV export columns: the id, the chained content (audit.chain.ts, the one list), the link. */
export const CSV_COLUMNS = ['id', ...AUDIT_CONTENT_COLUMNS, 'chainShard', 'chainSeq', 'hash'] as const;

/** One CSV line of a row, in `CSV_COLUMNS` order (instants ISO 8601, details as JSON text). */
export function csvRow(row: AuditRow): unknown[] {
  return CSV_COLUMNS.map((c) => {
    const v = row[c];
    if (v instanceof Date) return v.toISOString();
    return c === 'details' ? JSON.stringify(v) : v;
  });
}
