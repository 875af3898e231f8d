/** `/v1/patients/:id/api-keys`: device keys of one patient. HTTP only; rules live in the service. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { responses } from '../../lib/http.js';
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

export default async function apiKeyRoutes(root: FastifyInstance, opts: { service: ApiKeyService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;
  const tags = ['api-keys'];

  app.post(
    '/v1/patients/:id/api-keys',
    {
      config: { auth: KEY_MANAGERS },
      schema: {
        tags,
        summary: 'Create a device API key for the patient; the key is shown only in this response',
        params: PatientParams,
        body: CreateApiKeyBody,
        response: responses({ 201: IssuedApiKey }, [404, 409]),
      },
    },
    async (request, reply) => {
      const created = await service.create(request.principal, request.params.id, request.body, auditOrigin(request));
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/patients/:id/api-keys',
    {
      config: { auth: KEY_MANAGERS },
      schema: {
        tags,
        summary: "The patient's device keys (never the key itself)",
        params: PatientParams,
        querystring: ListQuery,
        response: responses({ 200: ApiKeyPage }, [404]),
      },
    },
    async (request) => service.list(request.principal, request.params.id, request.query.page, request.query.perPage),
  );

  app.delete(
    '/v1/patients/:id/api-keys/:keyId',
    {
      config: { auth: KEY_MANAGERS },
      schema: {
        tags,
        summary: 'Revoke a device key (effective at once)',
        params: KeyParams,
        response: responses({ 200: ApiKey }, [404]),
      },
    },
    async (request) => service.revoke(request.principal, request.params.id, request.params.keyId, auditOrigin(request)),
  );

  app.post(
    '/v1/patients/:id/api-keys/:keyId/rotate',
    {
      config: { auth: KEY_MANAGERS },
      // The body is optional: a bodiless POST validates as `{}` (after authentication, AU-10).
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Issue a replacement key; the old one keeps working for 24 hours',
        params: KeyParams,
        body: RotateBody,
        response: responses({ 201: IssuedApiKey }, [404, 409]),
      },
    },
    async (request, reply) => {
      const created = await service.rotate(
        request.principal,
        request.params.id,
        request.params.keyId,
        request.body,
        auditOrigin(request),
      );
      return reply.status(201).send(created);
    },
  );
}
