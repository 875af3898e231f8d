/** `/v1/auth` routes: login, refresh, logout, sessions. HTTP only; rules live in the services. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ForbiddenError, UnauthorizedError } from '../../lib/errors.js';
import { route } from '../../lib/route.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import { LoginBody, MfaRequired, REFRESH_COOKIE, RefreshBody, Revoked, Session, Tokens } from './auth.schema.js';
import { type AuthService, toUser } from './auth.service.js';
import type { IssuedTokens } from './auth.sessions.js';

const ANY = { audience: 'any' } as const;
const tags = ['auth'];

/**
 * The refresh token in the body, or, for browser clients, in a host-only, HttpOnly, Secure,
 * SameSite=Strict cookie (RT-8). Login, MFA verify and refresh deliver it the same way.
 */
export function deliverRefresh(reply: FastifyReply, tokens: IssuedTokens, asCookie: boolean, maxAgeSeconds: number) {
  if (!asCookie) return { refreshToken: tokens.refreshToken };
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    maxAge: maxAgeSeconds,
  });
  return {};
}

/** The body of a completed sign-in (password login, or its MFA step): same fields, same delivery (RT-8). */
export function signedIn(
  reply: FastifyReply,
  { tokens, account }: { tokens: IssuedTokens; account: Parameters<typeof toUser>[0] },
  asCookie: boolean,
  maxAgeSeconds: number,
) {
  return {
    accessToken: tokens.accessToken,
    ...deliverRefresh(reply, tokens, asCookie, maxAgeSeconds),
    expiresIn: tokens.expiresIn,
    tokenType: tokens.tokenType,
    user: toUser(account),
  };
}

function clearRefreshCookie(reply: FastifyReply) {
  reply.clearCookie(REFRESH_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
}

/**
 * The page that sent the request was served by this server: its origin is the configured public one,
 * or its host is the one the request was addressed to (the browser sets both headers; a cross-site
 * page cannot make them agree), e.g. the back-office opened as 127.0.0.1 instead of localhost.
 */
function sameOrigin(app: FastifyInstance, request: FastifyRequest, origin: string): boolean {
  if (origin === new URL(app.config.http.publicWebOrigin).origin) return true;
  try {
    const from = new URL(origin);
    // Normalised the same way on both sides (a default port is dropped from either).
    return from.host === new URL(`${from.protocol}//${request.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

/**
 * Cookie-authenticated calls must come from an allowed origin (CSRF defence, RT-8): the server's own
 * public origin (the back-office it serves at /admin/) or one of the CORS allow-list.
 */
function assertAllowedOrigin(app: FastifyInstance, request: FastifyRequest) {
  const origin = request.headers.origin;
  if (
    typeof origin !== 'string' ||
    !(sameOrigin(app, request, origin) || app.config.http.corsOrigins.includes(origin))
  ) {
    throw new ForbiddenError('Cookie-based refresh requires an allowed Origin header.');
  }
}

export default async function authRoutes(app: FastifyInstance, opts: { service: AuthService }) {
  const { service } = opts;
  const cookieMaxAge = Math.floor(app.config.identity.sessionAbsoluteMs / 1000);
  const perIp = { rateLimit: { max: app.config.identity.loginMaxPerIpPerMinute, timeWindow: 60_000 } };

  route(app, {
    method: 'POST',
    url: '/v1/auth/login',
    operationId: 'login',
    summary: 'Sign in with DNI, e-mail or username and password',
    tags,
    auth: 'public',
    config: perIp,
    body: LoginBody,
    success: { 200: Type.Union([Tokens, MfaRequired]) },
    errors: [409],
    handler: async (request, reply) => {
      const result = await service.login(request.body.identifier, request.body.password, auditOrigin(request));
      if (result.kind === 'mfa') {
        return { mfaRequired: true as const, mfaToken: result.mfaToken, expiresIn: result.expiresIn };
      }
      return signedIn(reply, result, request.body.cookie === true, cookieMaxAge);
    },
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/refresh',
    operationId: 'refreshTokens',
    summary: 'Exchange a refresh token (body or cookie) for a new pair; reuse revokes the family',
    tags,
    auth: 'public',
    config: perIp,
    body: RefreshBody,
    success: { 200: Type.Omit(Tokens, ['user']) },
    // Browsers refresh with the cookie alone and may send no body at all.
    preValidation: async (request) => {
      request.body ??= {};
    },
    handler: async (request, reply) => {
      let token = request.body.refreshToken;
      const fromCookie = token === undefined;
      if (fromCookie) {
        token = request.cookies[REFRESH_COOKIE];
        if (token) assertAllowedOrigin(app, request);
      }
      if (!token) throw new UnauthorizedError('A refresh token is required.', 'invalid_grant');
      const tokens = await service.refresh(token, auditOrigin(request));
      return {
        accessToken: tokens.accessToken,
        ...deliverRefresh(reply, tokens, fromCookie || request.body.cookie === true, cookieMaxAge),
        expiresIn: tokens.expiresIn,
        tokenType: tokens.tokenType,
      };
    },
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/logout',
    operationId: 'logout',
    summary: 'End the current session',
    tags,
    auth: ANY,
    config: { allowWithoutMfa: true },
    success: { 200: Revoked },
    handler: async (request, reply) => {
      const revoked = await service.logout(request.principal, auditOrigin(request));
      clearRefreshCookie(reply);
      return { revoked: revoked ? 1 : 0 };
    },
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/logout-all',
    operationId: 'logoutAll',
    summary: 'End every session of the user',
    tags,
    auth: ANY,
    success: { 200: Revoked },
    handler: async (request, reply) => {
      const revoked = await service.logoutAll(request.principal, auditOrigin(request));
      clearRefreshCookie(reply);
      return { revoked };
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/auth/sessions',
    operationId: 'listSessions',
    summary: "The user's active sessions",
    tags,
    auth: ANY,
    success: { 200: Type.Object({ data: Type.Array(Session) }) },
    handler: async (request) => {
      const rows = await service.sessionsOf(request.principal);
      return {
        data: rows.map((s) => ({
          id: s.id,
          current: s.id === request.principal?.sessionId,
          ip: s.ip,
          userAgent: s.userAgent,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
        })),
      };
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/v1/auth/sessions/:id',
    operationId: 'revokeSession',
    summary: 'Revoke one of your own sessions',
    tags,
    auth: ANY,
    params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
    success: { 200: Revoked },
    errors: [404],
    handler: async (request) => {
      const revoked = await service.revokeOwnSession(request.principal, request.params.id, auditOrigin(request));
      return { revoked: revoked ? 1 : 0 };
    },
  });
}
