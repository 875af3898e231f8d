/**
 * `POST /v1/auth/register`: patient self-registration, only when ALLOW_SELF_REGISTRATION=true.
 * Disabled, the route answers exactly like an unknown URL (404 problem), before validation, so
 * its schema is not revealed. Rate limited per IP like login. The patient signs in afterwards
 * with `POST /v1/auth/login`.
 *
 * A taken DNI or e-mail answers 409 naming the field: registration cannot avoid telling a person
 * that their DNI is already registered (they need to know to ask the clinic); the per-IP limit
 * bounds using that to enumerate.
 */

import type { FastifyInstance } from 'fastify';
import { canonicalise } from '../../lib/canonical.js';
import { NotFoundError } from '../../lib/errors.js';
import { route } from '../../lib/route.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import { Patient, RegisterBody } from './patients.schema.js';
import type { PatientsService } from './patients.service.js';

export const REGISTER_RATE_LIMIT = { max: 10, timeWindow: 60_000 } as const;

export default async function registerRoute(app: FastifyInstance, opts: { service: PatientsService }) {
  route(app, {
    method: 'POST',
    url: '/v1/auth/register',
    operationId: 'registerPatient',
    summary: 'Patient self-registration (only when enabled by configuration; otherwise 404)',
    tags: ['auth'],
    auth: 'public',
    config: { rateLimit: REGISTER_RATE_LIMIT },
    body: RegisterBody,
    success: { 201: Patient },
    errors: [404, 409],
    onRequest: async (request) => {
      if (!app.config.identity.allowSelfRegistration) {
        throw new NotFoundError('route', `No route ${request.method} ${request.url.split('?')[0]}.`);
      }
    },
    preValidation: canonicalise,
    handler: async (request, reply) => {
      const patient = await opts.service.create(auditOrigin(request), request.body, 'self_registration');
      return reply.status(201).send(patient);
    },
  });
}
