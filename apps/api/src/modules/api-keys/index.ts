/**
 * Device API keys: management routes under `/v1/patients/:id/api-keys`. Authentication with a key
 * is the auth hook's job (plugins/auth.ts, via DeviceKeyAuthenticator) on routes whose policy says
 * `devices: true`.
 */
import type { FastifyInstance } from 'fastify';
import apiKeyRoutes from './api-keys.routes.js';
import { ApiKeyService } from './api-keys.service.js';

export default async function apiKeysModule(app: FastifyInstance) {
  const service = new ApiKeyService({ db: app.db.db, clock: app.clock, secrets: app.secrets, audit: app.audit });
  await app.register(apiKeyRoutes, { service });
}
