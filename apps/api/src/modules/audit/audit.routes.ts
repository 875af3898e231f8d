/**
 * Admin access to the audit trail: keyset list, streamed export (CSV or JSON, constant memory),
 * and chain verification. Reading the trail is itself audited.
 */
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import { route } from '../../lib/route.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import type { AuditFilters, AuditRow } from './audit.repository.js';
import {
  ADMIN_ONLY,
  AuditPage,
  AuditQuery,
  AuditVerification,
  CSV_COLUMNS,
  csvRow,
  ExportQuery,
  toAuditEvent,
} from './audit.schema.js';

/** The filter part of the list and export queries (ISO strings become dates here). */
type FilterQuery = Omit<Static<typeof ExportQuery>, 'format'>;

function filtersOf(q: FilterQuery): AuditFilters {
  const f: AuditFilters = {};
  if (q.actorId !== undefined) f.actorId = q.actorId;
  if (q.actorRole !== undefined) f.actorRole = q.actorRole;
  if (q.patientId !== undefined) f.patientId = q.patientId;
  if (q.action !== undefined) f.action = q.action;
  if (q.resourceType !== undefined) f.resourceType = q.resourceType;
  if (q.outcome !== undefined) f.outcome = q.outcome;
  if (q.from !== undefined) f.from = new Date(q.from);
  if (q.to !== undefined) f.to = new Date(q.to);
  return f;
}

async function* jsonArray(rows: AsyncIterable<AuditRow>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const row of rows) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(toAuditEvent(row))}`;
    first = false;
  }
  yield '\n]\n';
}

export default async function auditRoutes(app: FastifyInstance) {
  route(app, {
    method: 'GET',
    url: '/v1/audit-events',
    operationId: 'listAuditEvents',
    summary: 'Search the audit trail (newest first, keyset cursor)',
    tags: ['audit'],
    auth: ADMIN_ONLY,
    querystring: AuditQuery,
    success: { 200: AuditPage },
    handler: async (request) => {
      const q = request.query;
      const beforeId = q.cursor ? decodeCursor(q.cursor, ['number'] as const)[0] : undefined;
      const filters = filtersOf(q);
      const page = await app.audit.list(filters, beforeId, q.limit ?? 50);
      await app.audit.record(app.db.db, {
        ...auditOrigin(request),
        action: 'audit_events.list',
        resourceType: 'audit_events',
        patientId: q.patientId ?? null,
        outcome: 'success',
        details: { filters: Object.keys(filters), returned: page.rows.length },
      });
      return {
        data: page.rows.map(toAuditEvent),
        nextCursor: page.nextBeforeId === null ? null : encodeCursor([page.nextBeforeId]),
      };
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/audit-events/export',
    operationId: 'exportAuditEvents',
    summary: 'Export the audit trail as CSV or JSON (streamed, oldest first)',
    tags: ['audit'],
    auth: ADMIN_ONLY,
    querystring: ExportQuery,
    success: {
      200: Type.String({ description: 'text/csv or application/json, streamed' }),
    },
    handler: async (request, reply) => {
      const q = request.query;
      const filters = filtersOf(q);
      await app.audit.record(app.db.db, {
        ...auditOrigin(request),
        action: 'audit_events.export',
        resourceType: 'audit_events',
        patientId: q.patientId ?? null,
        outcome: 'success',
        details: { format: q.format, filters: Object.keys(filters) },
      });
      const rows = app.audit.export(filters);
      const stamp = app.clock.now().toISOString().replace(/[:.]/g, '-');
      reply.header('content-disposition', `attachment; filename="audit-events-${stamp}.${q.format}"`);
      if (q.format === 'csv') {
        reply.type('text/csv; charset=utf-8');
        // Cells starting with = + - @ (user agents, request ids come from callers) are prefixed
        // with ' so a spreadsheet opening the export does not run them as formulas.
        const csv = stringify({ header: true, columns: [...CSV_COLUMNS], escape_formulas: true });
        // A failure mid-stream (database gone) aborts the response rather than ending it cleanly.
        pipeline(Readable.from(rows).map(csvRow), csv, (err) => {
          if (err) request.log.error({ err }, 'audit export failed mid-stream');
        });
        return reply.send(csv);
      }
      reply.type('application/json; charset=utf-8');
      return reply.send(Readable.from(jsonArray(rows)));
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/audit-events/verify',
    operationId: 'verifyAuditChain',
    summary: 'Verify every hash chain of the audit trail; reports the first broken link',
    tags: ['audit'],
    auth: ADMIN_ONLY,
    querystring: Type.Object({}, { additionalProperties: false }),
    success: { 200: AuditVerification },
    handler: async (request) => {
      const result = await app.audit.verify();
      await app.audit.record(app.db.db, {
        ...auditOrigin(request),
        action: 'audit_events.verify',
        resourceType: 'audit_events',
        outcome: result.ok ? 'success' : 'failure',
        details: { checkedRows: result.checkedRows, brokenId: result.firstBroken?.id ?? null },
      });
      return { ...result, verifiedAt: result.verifiedAt.toISOString() };
    },
  });
}
