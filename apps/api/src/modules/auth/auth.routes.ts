/** `/v1/auth` routes: login, refresh, logout, sessions. HTTP only; rules live in the services. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ForbiddenError, UnauthorizedError } from '../../lib/errors.js';
import { responses } from '../../lib/http.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import { LoginBody, MfaRequired, REFRESH_COOKIE, RefreshBody, Revoked, Session, Tokens } from './auth.schema.js';
import { type AuthService, toUser } from './auth.service.js';
import type { IssuedTokens } from './auth.sessions.js';

const ANY = { audience: 'any' } as const;

/** Browser clients keep the refresh token in a host-only, HttpOnly, Secure, SameSite=Strict cookie. */
function deliver(reply: FastifyReply, tokens: IssuedTokens, asCookie: boolean, maxAgeSeconds: number) {
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

/** Cookie-authenticated calls must come from an allowed origin (CSRF defence, RT-8). */
function assertAllowedOrigin(app: FastifyInstance, request: FastifyRequest) {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || !app.config.http.corsOrigins.includes(origin)) {
    throw new ForbiddenError('Cookie-based refresh requires an allowed Origin header.');
  }
}

export default async function authRoutes(root: FastifyInstance, opts: { service: AuthService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;
  const cookieMaxAge = Math.floor(app.config.identity.sessionAbsoluteMs / 1000);

  app.post(
    '/v1/auth/login',
    {
      config: {
        auth: 'public',
        rateLimit: { max: app.config.identity.loginMaxPerIpPerMinute, timeWindow: 60_000 },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with DNI, e-mail or username and password',
        body: LoginBody,
        response: responses({ 200: Type.Union([Tokens, MfaRequired]) }, [409]),
      },
    },
    async (request, reply) => {
      const result = await service.login(request.body.identifier, request.body.password, auditOrigin(request));
      if (result.kind === 'mfa')
        return { mfaRequired: true as const, mfaToken: result.mfaToken, expiresIn: result.expiresIn };
      const { tokens, account } = result;
      return {
        accessToken: tokens.accessToken,
        ...deliver(reply, tokens, request.body.cookie === true, cookieMaxAge),
        expiresIn: tokens.expiresIn,
        tokenType: tokens.tokenType,
        user: toUser(account),
      };
    },
  );

  app.post(
    '/v1/auth/refresh',
    {
      config: { auth: 'public', rateLimit: { max: app.config.identity.loginMaxPerIpPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token (body or cookie) for a new pair; reuse revokes the family',
        body: RefreshBody,
        response: responses({ 200: Type.Omit(Tokens, ['user']) }),
      },
      // Browsers refresh with the cookie alone and may send no body at all.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
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
        ...deliver(reply, tokens, fromCookie || request.body.cookie === true, cookieMaxAge),
        expiresIn: tokens.expiresIn,
        tokenType: tokens.tokenType,
      };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { auth: ANY, allowWithoutMfa: true },
      schema: { tags: ['auth'], summary: 'End the current session', response: responses({ 200: Revoked }) },
    },
    async (request, reply) => {
      const revoked = await service.logout(request.principal, auditOrigin(request));
      reply.clearCookie(REFRESH_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
      return { revoked: revoked ? 1 : 0 };
    },
  );

  app.post(
    '/v1/auth/logout-all',
    {
      config: { auth: ANY },
      schema: { tags: ['auth'], summary: 'End every session of the user', response: responses({ 200: Revoked }) },
    },
    async (request, reply) => {
      const revoked = await service.logoutAll(request.principal, auditOrigin(request));
      reply.clearCookie(REFRESH_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
      return { revoked };
    },
  );

  app.get(
    '/v1/auth/sessions',
    {
      config: { auth: ANY },
      schema: {
        tags: ['auth'],
        summary: "The user's active sessions",
        response: responses({ 200: Type.Object({ data: Type.Array(Session) }) }),
      },
    },
    async (request) => {
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
  );

  app.delete(
    '/v1/auth/sessions/:id',
    {
      config: { auth: ANY },
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of your own sessions',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: responses({ 200: Revoked }, [404]),
      },
    },
    async (request) => {
      const revoked = await service.revokeOwnSession(request.principal, request.params.id, auditOrigin(request));
      return { revoked: revoked ? 1 : 0 };
    },
  );
}
