/**
 * Authentication: signing keys (JWKS), login, refresh, logout and sessions. The access-token
 * check itself is the `auth` plugin (plugins/auth.ts); session state lives in SessionService.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import mfaRoutes from './auth.mfa.routes.js';
import passwordRoutes from './auth.password.routes.js';
import authRoutes from './auth.routes.js';
import { AuthService } from './auth.service.js';
import { PostgresLoginThrottle, RedisLoginThrottle } from './auth.throttle.js';

const Jwk = Type.Object(
  {
    kty: Type.String(),
    crv: Type.String(),
    x: Type.String(),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.String(),
  },
  { additionalProperties: false },
);

/** Sign-in with the configured per-identifier throttle (shared by /v1 and the legacy listeners). */
export function authService(app: FastifyInstance): AuthService {
  const settings = {
    maxFailures: app.config.identity.loginMaxFailures,
    windowMs: app.config.identity.loginFailureWindowMs,
    lockMs: app.config.identity.lockoutMs,
  };
  const throttle = app.redis
    ? new RedisLoginThrottle(app.redis, app.config.redis?.keyPrefix ?? 'diabetify:', settings)
    : new PostgresLoginThrottle(app.db.db, app.clock, settings);
  return new AuthService(app, throttle);
}

export default async function authModule(app: FastifyInstance) {
  await app.register(cookie);
  await app.register(authRoutes, { service: authService(app) });
  await app.register(mfaRoutes);
  await app.register(passwordRoutes);

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['auth'],
        summary: 'Public keys that verify access tokens (current and previous)',
        response: { 200: Type.Object({ keys: Type.Array(Jwk) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return app.keys.jwks();
    },
  );
}
