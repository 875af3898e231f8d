/** Analytics routes. HTTP only: authorization of records, audit and the formulas live in the service. */
import type { FastifyInstance } from 'fastify';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
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

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id/stats',
    operationId: 'getPatientStats',
    summary:
      'Glucose statistics over a window (default: the last 14 days) and the window before it; consensus bands, ' +
      'GMI, CV, episodes, sufficiency (staff; a patient only their own, anyone else is 404)',
    tags: ['analytics'],
    auth: STAFF_OR_SELF,
    params: IdParams,
    querystring: WindowQuery,
    success: { 200: Stats },
    errors: [404],
    handler: async (request) => service.stats(actorOf(request), auditOrigin(request), request.params.id, request.query),
  });

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id/agp',
    operationId: 'getPatientAgp',
    summary: 'Ambulatory glucose profile: 5/25/50/75/95th percentiles per 15-minute bin of local time',
    tags: ['analytics'],
    auth: STAFF_OR_SELF,
    params: IdParams,
    querystring: WindowQuery,
    success: { 200: Agp },
    errors: [404],
    handler: async (request) => service.agp(actorOf(request), auditOrigin(request), request.params.id, request.query),
  });

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
