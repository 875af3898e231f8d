/**
 * `POST /token` on both listeners (A.2, B): the OAuth2 password form for sign-in and
 * `grant_type=refresh_token` for rotation, answered with our own tokens (EdDSA access token with
 * the listener's audience, opaque rotating refresh token). Every rule — argon2id verification and
 * the legacy SHA-256 upgrade, lockout, blocked accounts, audit, reuse detection — is AuthService's
 * and SessionService's; this file only maps the form and the answers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import type { RoutePolicy } from '../../lib/principal.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import { AUDIENCES } from '../auth/auth.keys.js';
import { authService } from '../auth/index.js';
import { LegacyError, LegacyValidationError } from './legacy.errors.js';
import type { LegacyKind } from './legacy.kinds.js';
import { Detail, ValidationDetail } from './legacy.responses.js';

/** Route policies of the two listeners: a patient token never passes the back-office's, nor the reverse. */
export const LEGACY_PATIENT: RoutePolicy = { audience: 'app', roles: ['patient'] };
export const legacyStaff = (...roles: ('clinician' | 'assistant' | 'admin')[]): RoutePolicy => ({
  audience: 'backoffice',
  roles,
});

/** The signed-in patient's id on a LEGACY_PATIENT route (the auth hook has already checked it). */
export function patientIdOf(request: FastifyRequest): number {
  const p = request.principal;
  if (p?.kind !== 'patient') throw new LegacyError(401, 'Not authenticated', { 'www-authenticate': 'Bearer' });
  return p.id;
}

const TokenAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  refresh_token: Type.String(),
  expires_in: Type.Integer(),
});

type Form = Record<string, string | undefined>;

function required(form: Form, fields: string[]) {
  const missing = fields.filter((f) => !form[f]);
  if (missing.length > 0) {
    throw new LegacyValidationError(
      missing.map((f) => ({ loc: ['body', f], msg: 'field required', type: 'value_error.missing' })),
    );
  }
}

/** Domain refusals → the texts and codes the old clients handle (401 logs nobody out at sign-in). */
function loginError(err: unknown): never {
  if (err instanceof AppError) {
    if (err.code === 'invalid_credentials') throw new LegacyError(401, 'Incorrect username or password', BEARER);
    if (err.code === 'account_blocked') throw new LegacyError(401, 'User is blocked', BEARER);
    if (err.code === 'login_locked')
      throw new LegacyError(429, 'Too many failed attempts; try again later', err.headers);
    if (err.code === 'invalid_grant') throw new LegacyError(401, 'Invalid or expired refresh token', BEARER);
    // The refresh store (PostgreSQL, Redis for revocations) is down: the client's documented text.
    if (err.status === 503) throw new LegacyError(503, 'Token service unavailable', err.headers);
  }
  throw err;
}

const BEARER = { 'www-authenticate': 'Bearer' };

export default async function legacyTokenRoutes(app: FastifyInstance, { kind }: { kind: LegacyKind }) {
  const service = authService(app);
  const audience = kind === 'gateway' ? AUDIENCES.app : AUDIENCES.backoffice;
  const accountKind = kind === 'gateway' ? 'patient' : 'staff';

  app.post(
    '/token',
    {
      config: { auth: 'public', rateLimit: { max: app.config.identity.loginMaxPerIpPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary:
          kind === 'gateway'
            ? 'OAuth2 password form (username = DNI) or grant_type=refresh_token'
            : 'OAuth2 password form (username = back-office user name) or grant_type=refresh_token',
        consumes: ['application/x-www-form-urlencoded'],
        response: { 200: TokenAnswer, 401: Detail, 422: ValidationDetail, 429: Detail, 503: Detail },
      },
    },
    async (request) => {
      const form = (request.body && typeof request.body === 'object' ? request.body : {}) as Form;
      const origin = auditOrigin(request);
      try {
        if (form.grant_type === 'refresh_token') {
          if (!form.refresh_token) throw new LegacyError(400, 'Missing refresh token');
          const tokens = await app.sessions.refresh(form.refresh_token, origin, audience);
          return answer(tokens);
        }
        required(form, ['username', 'password']);
        const result = await service.login(form.username as string, form.password as string, origin, [accountKind]);
        if (result.kind === 'mfa') {
          // The old clients have no second step; accounts with MFA use the new apps.
          throw new LegacyError(401, 'Two-factor authentication is enabled for this account; use the new app', BEARER);
        }
        return answer(result.tokens);
      } catch (err) {
        loginError(err);
      }
    },
  );

  app.post(
    '/token/revoke',
    {
      config: { auth: kind === 'gateway' ? LEGACY_PATIENT : { audience: 'backoffice' } },
      schema: {
        tags: ['auth'],
        summary: 'End the session of the presented access token (never called by the old app)',
        response: { 200: Type.String() },
      },
    },
    async (request) => {
      const sid = request.principal?.sessionId;
      if (sid) await app.sessions.revoke(sid, 'logout', auditOrigin(request));
      return 'Token revoked';
    },
  );
}

function answer(tokens: { accessToken: string; refreshToken: string; expiresIn: number }) {
  return {
    access_token: tokens.accessToken,
    token_type: 'bearer' as const,
    refresh_token: tokens.refreshToken,
    expires_in: tokens.expiresIn,
  };
}
