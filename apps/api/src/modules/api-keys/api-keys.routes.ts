/** `/v1/patients/:id/api-keys`: device keys of one patient. HTTP only; rules live in the service. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { route } from '../../lib/route.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import {
  ApiKey,
  ApiKeyPage,
  CreateApiKeyBody,
  IssuedApiKey,
  KEY_MANAGERS,
  KeyParams,
  ListQuery,
  PatientParams,
} from './api-keys.schema.js';
import type { ApiKeyService } from './api-keys.service.js';

const RotateBody = Type.Object({ expiresInDays: CreateApiKeyBody.properties.expiresInDays });

export default async function apiKeyRoutes(app: FastifyInstance, opts: { service: ApiKeyService }) {
  const { service } = opts;
  const tags = ['api-keys'];

  route(app, {
    method: 'POST',
    url: '/v1/patients/:id/api-keys',
    operationId: 'createPatientApiKey',
    summary: 'Create a device API key for the patient; the key is shown only in this response',
    tags,
    auth: KEY_MANAGERS,
    params: PatientParams,
    body: CreateApiKeyBody,
    success: { 201: IssuedApiKey },
    errors: [404, 409],
    handler: async (request, reply) => {
      const created = await service.create(request.principal, request.params.id, request.body, auditOrigin(request));
      return reply.status(201).send(created);
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id/api-keys',
    operationId: 'listPatientApiKeys',
    summary: "The patient's device keys (never the key itself)",
    tags,
    auth: KEY_MANAGERS,
    params: PatientParams,
    querystring: ListQuery,
    success: { 200: ApiKeyPage },
    errors: [404],
    handler: async (request) =>
      service.list(request.principal, request.params.id, request.query.page, request.query.perPage),
  });

  route(app, {
    method: 'DELETE',
    url: '/v1/patients/:id/api-keys/:keyId',
    operationId: 'revokePatientApiKey',
    summary: 'Revoke a device key (effective at once)',
    tags,
    auth: KEY_MANAGERS,
    params: KeyParams,
    success: { 200: ApiKey },
    errors: [404],
    handler: async (request) =>
      service.revoke(request.principal, request.params.id, request.params.keyId, auditOrigin(request)),
  });

  route(app, {
    method: 'POST',
    url: '/v1/patients/:id/api-keys/:keyId/rotate',
    operationId: 'rotatePatientApiKey',
    summary: 'Issue a replacement key; the old one keeps working for 24 hours',
    tags,
    auth: KEY_MANAGERS,
    params: KeyParams,
    body: RotateBody,
    success: { 201: IssuedApiKey },
    errors: [404, 409],
    // The body is optional: a bodiless POST validates as `{}` (after authentication, AU-10).
    preValidation: async (request) => {
      request.body ??= {};
    },
    handler: async (request, reply) => {
      const created = await service.rotate(
        request.principal,
        request.params.id,
        request.params.keyId,
        request.body,
        auditOrigin(request),
      );
      return reply.status(201).send(created);
    },
  });
}
