/** Analytics routes. HTTP only: authorization of records, audit and the formulas live in the service. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { responses } from '../../lib/http.js';
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

export default async function analyticsRoutes(root: FastifyInstance, opts: { service: AnalyticsService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;

  app.get(
    '/v1/patients/:id/stats',
    {
      config: { auth: STAFF_OR_SELF },
      schema: {
        tags: ['analytics'],
        summary:
          'Glucose statistics over a window (default: the last 14 days) and the window before it; consensus bands, ' +
          'GMI, CV, episodes, sufficiency (staff; a patient only their own, anyone else is 404)',
        params: IdParams,
        querystring: WindowQuery,
        response: responses({ 200: Stats }, [404]),
      },
    },
    async (request) => service.stats(actorOf(request), auditOrigin(request), request.params.id, request.query),
  );

  app.get(
    '/v1/patients/:id/agp',
    {
      config: { auth: STAFF_OR_SELF },
      schema: {
        tags: ['analytics'],
        summary: 'Ambulatory glucose profile: 5/25/50/75/95th percentiles per 15-minute bin of local time',
        params: IdParams,
        querystring: WindowQuery,
        response: responses({ 200: Agp }, [404]),
      },
    },
    async (request) => service.agp(actorOf(request), auditOrigin(request), request.params.id, request.query),
  );

  app.get(
    '/v1/triage',
    {
      config: { auth: CLINICIAN_ONLY },
      schema: {
        tags: ['analytics'],
        summary: 'Patients ranked by need over the last 14 days (count-based, from day summaries); page/perPage',
        querystring: TriageQuery,
        response: responses({ 200: TriagePage }),
      },
    },
    async (request) => service.triage(auditOrigin(request), request.query),
  );
}
