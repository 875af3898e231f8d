/** `GET /v1/me`, `PATCH /v1/me`: the caller's own profile (patients and staff). */

import type { FastifyInstance } from 'fastify';
import { canonicalise } from '../../lib/canonical.js';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { Me, MeBody, SELF } from './me.schema.js';
import type { MeService } from './me.service.js';

export default async function meRoutes(app: FastifyInstance, opts: { service: MeService }) {
  const { service } = opts;

  route(app, {
    method: 'GET',
    url: '/v1/me',
    operationId: 'getMe',
    summary: 'Your own profile: the patient record with gamification counters, or your staff account',
    tags: ['auth'],
    auth: SELF,
    // Staff who must enrol in MFA still need to see who they are.
    config: { allowWithoutMfa: true },
    success: { 200: Me },
    errors: [404],
    handler: async (request) => service.get(actorOf(request), auditOrigin(request)),
  });

  route(app, {
    method: 'PATCH',
    url: '/v1/me',
    operationId: 'updateMe',
    summary: 'Change your preferences (patients: unit, target range, time zone; staff: name)',
    tags: ['auth'],
    auth: SELF,
    body: MeBody,
    success: { 200: Me },
    errors: [404],
    preValidation: canonicalise,
    handler: async (request) => service.update(actorOf(request), auditOrigin(request), request.body),
  });
}
