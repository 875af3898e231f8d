/**
 * Authentication: signing keys (JWKS), login, refresh, logout, sessions, MFA and passwords. The
 * access-token check itself is the `auth` plugin (plugins/auth.ts); app.ts builds the session
 * service, the session guard and the MFA status it needs. Here, like every module's index, the
 * services are built from the app's context with explicit dependencies and handed to the routes.
 */

import { Problem } from '@diabetify/contracts';
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { MALFORMED_URL } from '../../lib/http.js';
import { CHALLENGE_WINDOW_MS, MAX_ATTEMPTS_PER_CHALLENGE, MfaService } from './auth.mfa.js';
import mfaRoutes from './auth.mfa.routes.js';
import passwordRoutes from './auth.password.routes.js';
import { PasswordService } from './auth.password.service.js';
import { PasswordTokens } from './auth.password-tokens.js';
import authRoutes from './auth.routes.js';
import { AuthService } from './auth.service.js';
import { type LoginThrottle, loginThrottle, type ThrottleSettings } from './auth.throttle.js';

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

function throttle(app: FastifyInstance, settings: ThrottleSettings): LoginThrottle {
  const prefix = app.config.redis?.keyPrefix ?? 'diabetify:';
  return loginThrottle({ redis: app.redis, prefix, db: app.db.db, clock: app.clock }, settings);
}

/** The login lockout settings (LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_MIN, LOCKOUT_MINUTES). */
function lockoutSettings(app: FastifyInstance): ThrottleSettings {
  const id = app.config.identity;
  return { maxFailures: id.loginMaxFailures, windowMs: id.loginFailureWindowMs, lockMs: id.lockoutMs };
}

/** Sign-in with the configured per-identifier throttle (shared by /v1 and the legacy listeners). */
export function authService(app: FastifyInstance): AuthService {
  const { db, clock, secrets, audit, sessions } = app;
  return new AuthService({ db: db.db, clock, secrets, audit, sessions, throttle: throttle(app, lockoutSettings(app)) });
}

/** Single-use password links (reset, invitation), e-mailed after commit. Also used by patients and staff. */
export function passwordTokens(app: FastifyInstance): PasswordTokens {
  return new PasswordTokens({
    secrets: app.secrets,
    clock: app.clock,
    publicWebOrigin: app.config.http.publicWebOrigin,
    mail: { mailer: app.mailer, log: app.log },
  });
}

/** Forgot, reset and change password (shared by /v1 and the legacy listeners). */
export function passwordService(app: FastifyInstance): PasswordService {
  return new PasswordService({
    db: app.db.db,
    clock: app.clock,
    secrets: app.secrets,
    audit: app.audit,
    sessions: app.sessions,
    tokens: passwordTokens(app),
    passwordMinLength: app.config.identity.passwordMinLength,
    timezone: app.config.clinic.timezone,
    mail: { mailer: app.mailer, log: app.log },
  });
}

export function mfaService(app: FastifyInstance): MfaService {
  return new MfaService({
    db: app.db.db,
    clock: app.clock,
    secrets: app.secrets,
    audit: app.audit,
    sessions: app.sessions,
    requireStaffMfa: app.config.identity.requireStaffMfa,
    perAccount: throttle(app, lockoutSettings(app)),
    perChallenge: throttle(app, {
      maxFailures: MAX_ATTEMPTS_PER_CHALLENGE,
      windowMs: CHALLENGE_WINDOW_MS,
      lockMs: CHALLENGE_WINDOW_MS,
    }),
  });
}

export default async function authModule(app: FastifyInstance) {
  await app.register(cookie);
  await app.register(authRoutes, { service: authService(app) });
  await app.register(mfaRoutes, { service: mfaService(app) });
  await app.register(passwordRoutes, { service: passwordService(app) });

  app.get(
    '/.well-known/jwks.json',
    {
      // Not a /v1 route (no policy, no problem responses): a plain JWKS document other services fetch.
      schema: {
        operationId: 'getJwks',
        tags: ['auth'],
        summary: 'Public keys that verify access tokens (current and previous)',
        response: { 200: Type.Object({ keys: Type.Array(Jwk) }), ...MALFORMED_URL, 429: Problem },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return app.keys.jwks();
    },
  );
}
