/**
 * `GET /v1/patients/:id/readings/export?format=csv|fhir|pdf&from=&to=`. HTTP only: authorization,
 * the window and the audit rows are the service's; this maps the pieces it yields onto a streamed
 * response with a download file name.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { analyticsService } from '../analytics/index.js';
import {
  CSV_DESCRIPTION,
  EXPORT_POLICY,
  EXPORT_SUMMARY,
  type ExportFormat,
  ExportParams,
  ExportQuery,
  FHIR_DESCRIPTION,
  PDF_DESCRIPTION,
} from './readings.export.schema.js';
import { ReadingsExportService } from './readings.export.service.js';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  fhir: 'application/fhir+json; fhirVersion=4.0; charset=utf-8',
  pdf: 'application/pdf',
};

export function readingsExportService(app: FastifyInstance, chunkSize?: number): ReadingsExportService {
  return new ReadingsExportService({
    db: app.db.db,
    audit: app.audit,
    clock: app.clock,
    analytics: analyticsService(app),
    fhirIdentifierSystem: `${app.config.http.publicWebOrigin.replace(/\/+$/, '')}/fhir/sid/reading-id`,
    ...(chunkSize === undefined ? {} : { chunkSize }),
  });
}

export default async function readingsExportRoutes(
  app: FastifyInstance,
  opts: { service?: ReadingsExportService } = {},
) {
  const service = opts.service ?? readingsExportService(app);

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id/readings/export',
    operationId: 'exportPatientReadings',
    summary: EXPORT_SUMMARY,
    description: [
      'The patient (own record; anyone else is 404), clinicians and admins. Every attempt is audited',
      '(`readings.export`: a `started` row with the window before streaming, then `completed` or',
      '`aborted` with the row count).',
      '',
      CSV_DESCRIPTION,
      '',
      FHIR_DESCRIPTION,
      '',
      PDF_DESCRIPTION,
    ].join('\n'),
    tags: ['readings'],
    auth: EXPORT_POLICY,
    params: ExportParams,
    querystring: ExportQuery,
    success: {
      200: Type.String({
        description: 'text/csv, application/fhir+json or application/pdf, streamed as an attachment',
      }),
    },
    errors: [404],
    // A HEAD would run the whole export only to throw the body away.
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const plan = await service.open(actorOf(request), auditOrigin(request), request.params.id, request.query);
      const body =
        plan.format === 'pdf'
          ? await service.pdf(plan, request.headers['accept-language'])
          : plan.format === 'fhir'
            ? service.fhir(plan)
            : service.csv(plan);
      const stream = Readable.from(body, { objectMode: true, highWaterMark: 1 });
      // Once headers are out, a failure can only cut the response short. Logged by name and code
      // only: a query error's message carries its parameters.
      stream.on('error', (err: Error & { code?: string }) =>
        request.log.error({ err: { name: err.name, code: err.code } }, 'readings export failed mid-stream'),
      );
      reply.header('content-disposition', `attachment; filename="${plan.filename}"`);
      reply.type(CONTENT_TYPES[plan.format]);
      return reply.send(stream);
    },
  });
}
