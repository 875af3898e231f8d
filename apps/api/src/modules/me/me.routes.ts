/** `GET /v1/me`, `PATCH /v1/me`: the caller's own profile (patients and staff). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { responses } from '../../lib/http.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { canonicalise } from '../patients/patients.routes.js';
import { Me, MeBody, SELF } from './me.schema.js';
import type { MeService } from './me.service.js';

export default async function meRoutes(root: FastifyInstance, opts: { service: MeService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;

  app.get(
    '/v1/me',
    {
      // Staff who must enrol in MFA still need to see who they are.
      config: { auth: SELF, allowWithoutMfa: true },
      schema: {
        tags: ['auth'],
        summary: 'Your own profile: the patient record with gamification counters, or your staff account',
        response: responses({ 200: Me }, [404]),
      },
    },
    async (request) => service.get(actorOf(request), auditOrigin(request)),
  );

  app.patch(
    '/v1/me',
    {
      config: { auth: SELF },
      preValidation: canonicalise,
      schema: {
        tags: ['auth'],
        summary: 'Change your preferences (patients: unit, target range, time zone; staff: name)',
        body: MeBody,
        response: responses({ 200: Me }, [404]),
      },
    },
    async (request) => service.update(actorOf(request), auditOrigin(request), request.body),
  );
}
