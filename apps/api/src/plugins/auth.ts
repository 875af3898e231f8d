/**
 * Authentication and route policy (security.md AU-9, AU-10, AZ-7).
 *
 * Every `/v1` route must declare `config.auth`: `'public'` or a policy naming the token audience
 * and roles allowed. A route without one fails at registration, so it cannot ship by accident.
 * The check runs in `onRequest`, before body or query validation: an anonymous caller with an
 * invalid body gets 401, never a schema error that describes the API.
 *
 * Per-record authorization (which patient) is the services' job; this only decides who may call.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from 'jose';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../lib/errors.js';
import type { ActorRole, AuditOrigin } from '../modules/audit/audit.service.js';
import { AUDIENCES, type Audience, type KeyStore } from '../modules/auth/auth.keys.js';

export type Role = 'patient' | 'clinician' | 'assistant' | 'admin' | 'device';
export type PrincipalKind = 'patient' | 'staff' | 'device';

export type RoutePolicy =
  | 'public'
  | {
      /** `app`: patient and device tokens; `backoffice`: staff tokens; `any`: both. */
      audience: 'app' | 'backoffice' | 'any';
      /** Any one of these roles suffices; omitted = any authenticated caller of the audience. */
      roles?: readonly Role[];
    };

export interface Principal {
  kind: PrincipalKind;
  id: number;
  roles: readonly Role[];
  /** The role this request acts under: the first of the route's roles the principal holds. */
  actingRole: Role | 'anonymous';
  /** Authentication methods of the session (`pwd`, `otp`). */
  amr: readonly string[];
  audience: Audience;
  sessionId: string | null;
  tokenId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RoutePolicy;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const SUBJECT = /^(patient|staff|device):([1-9][0-9]{0,15})$/;
const ROLES = new Set<Role>(['patient', 'clinician', 'assistant', 'admin', 'device']);

export function subjectOf(kind: PrincipalKind, id: number): string {
  return `${kind}:${id}`;
}

function audiencesFor(policy: Exclude<RoutePolicy, 'public'>): Audience[] {
  if (policy.audience === 'app') return [AUDIENCES.app];
  if (policy.audience === 'backoffice') return [AUDIENCES.backoffice];
  return [AUDIENCES.app, AUDIENCES.backoffice];
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/** Audit origin of a request: who (or anonymous), from where, which request. */
export function auditOrigin(request: FastifyRequest): AuditOrigin {
  const p = request.principal;
  const role: ActorRole = p ? p.actingRole : 'anonymous';
  return {
    actor: { id: p?.id ?? null, role },
    ip: request.ip,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
    requestId: request.id,
  };
}

function principalFrom(
  subject: RegExpExecArray,
  roles: readonly Role[],
  claims: {
    audience?: unknown;
    aud?: unknown;
    sessionId?: string | null;
    sid?: unknown;
    tokenId?: string;
    jti?: unknown;
    amr?: unknown;
  },
  actingRole: Role | 'anonymous',
): Principal {
  const aud = claims.audience ?? (Array.isArray(claims.aud) ? claims.aud[0] : claims.aud);
  const sid = claims.sessionId ?? (typeof claims.sid === 'string' ? claims.sid : null);
  return {
    kind: subject[1] as PrincipalKind,
    id: Number(subject[2]),
    roles,
    actingRole,
    amr: Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [],
    audience: aud as Audience,
    sessionId: sid,
    tokenId: claims.tokenId ?? (typeof claims.jti === 'string' ? claims.jti : ''),
  };
}

export default fp(
  async function authPlugin(app: FastifyInstance, opts: { keys: KeyStore }) {
    app.decorateRequest('principal', null);

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1')) return;
      if (route.config?.auth === undefined) {
        throw new Error(`route ${route.method} ${route.url} declares no auth policy (config.auth)`);
      }
    });

    const deny = async (request: FastifyRequest, reason: string, details: Record<string, unknown> = {}) =>
      app.audit.record(app.db.db, {
        ...auditOrigin(request),
        action: 'access.denied',
        resourceType: 'route',
        resourceId: `${request.method} ${request.routeOptions.url}`,
        outcome: 'denied',
        details: { reason, ...details },
      });

    app.addHook('onRequest', async (request) => {
      const policy = request.routeOptions.config.auth;
      if (policy === undefined || policy === 'public') return;
      const token = bearerToken(request);
      if (!token) throw new UnauthorizedError();
      // Revocations reach this instance over Redis; without it we cannot know, so refuse (fail closed).
      if (app.redis && (app.redis.status !== 'ready' || !app.events.bus.healthy())) {
        throw new ServiceUnavailableError('Session checks are unavailable; retry shortly.');
      }
      let claims: Awaited<ReturnType<KeyStore['verify']>>;
      try {
        claims = await opts.keys.verify(token, audiencesFor(policy), app.clock.now());
      } catch (err) {
        // A genuine token of the other audience (a patient token on a staff route) is a refused
        // authorisation attempt by a known person: audit it. Forgeries and garbage are not.
        if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
          const sub = typeof err.payload.sub === 'string' ? SUBJECT.exec(err.payload.sub) : null;
          if (sub) {
            request.principal = principalFrom(sub, [], err.payload, 'anonymous');
            await deny(request, 'audience');
          }
        }
        throw new UnauthorizedError('The access token is invalid or expired.', 'invalid_token');
      }
      const subject = SUBJECT.exec(claims.subject);
      const roles = claims.roles.filter((r): r is Role => ROLES.has(r as Role));
      if (!subject || roles.length === 0) {
        throw new UnauthorizedError('The access token is invalid or expired.', 'invalid_token');
      }
      // Every access token we mint names its session; one without is not ours to honour.
      if (!claims.sessionId || !(await app.sessionGuard.isLive(claims.sessionId))) {
        throw new UnauthorizedError('The session has ended; sign in again.', 'session_revoked');
      }
      const acting = policy.roles?.find((r) => roles.includes(r)) ?? roles[0];
      request.principal = principalFrom(subject, roles, claims, acting as Role);
      if (policy.roles && !policy.roles.some((r) => roles.includes(r))) {
        await deny(request, 'role', { requiredRoles: [...policy.roles] });
        throw new ForbiddenError();
      }
    });
  },
  { name: 'auth', dependencies: ['context'] },
);
