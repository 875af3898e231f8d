/** Analytics routes. HTTP only: authorization of records, audit and the formulas live in the service. */
import type { FastifyInstance } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { Actor } from '../../lib/authorization.js';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import {
  Agp,
  CLINICIAN_ONLY,
  IdParams,
  STAFF_OR_SELF,
  Stats,
  TriagePage,
  TriageQuery,
  WindowQuery,
} from './analytics.schema.js';
import type { AnalyticsService } from './analytics.service.js';

export default async function analyticsRoutes(app: FastifyInstance, opts: { service: AnalyticsService }) {
  const { service } = opts;

  /**
   * Statistics and the AGP are the same read of one patient's window (same readers, params, query
   * and 404); only the computation differs.
   */
  const windowRead = <T extends TSchema>(
    path: 'stats' | 'agp',
    operationId: string,
    summary: string,
    schema: T,
    read: (actor: Actor, origin: AuditOrigin, id: number, query: WindowQuery) => Promise<Static<T>>,
  ) =>
    route(app, {
      method: 'GET',
      url: `/v1/patients/:id/${path}`,
      operationId,
      summary,
      tags: ['analytics'],
      auth: STAFF_OR_SELF,
      params: IdParams,
      querystring: WindowQuery,
      success: { 200: schema },
      errors: [404],
      handler: async (request) => read(actorOf(request), auditOrigin(request), request.params.id, request.query),
    });

  windowRead(
    'stats',
    'getPatientStats',
    'Glucose statistics over a window (default: the last 14 days) and the window before it; consensus bands, ' +
      'GMI, CV, episodes, sufficiency (staff; a patient only their own, anyone else is 404)',
    Stats,
    (...args) => service.stats(...args),
  );
  windowRead(
    'agp',
    'getPatientAgp',
    'Ambulatory glucose profile: 5/25/50/75/95th percentiles per 15-minute bin of local time',
    Agp,
    (...args) => service.agp(...args),
  );

  route(app, {
    method: 'GET',
    url: '/v1/triage',
    operationId: 'listTriage',
    summary: 'Patients ranked by need over the last 14 days (count-based, from day summaries); page/perPage',
    tags: ['analytics'],
    auth: CLINICIAN_ONLY,
    querystring: TriageQuery,
    success: { 200: TriagePage },
    handler: async (request) => service.triage(auditOrigin(request), request.query),
  });
}
