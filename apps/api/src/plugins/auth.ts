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
import type { AuditRecorder } from '../lib/audit.js';
import { AppError, ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../lib/errors.js';
import {
  AUDIENCES,
  type Audience,
  type Principal,
  type PrincipalKind,
  type Role,
  type RoutePolicy,
  type VerifiedAccess,
} from '../lib/principal.js';
import { auditOrigin } from './auth.request.js';

/**
 * What the plugin needs, built by app.ts from the auth and api-keys modules and handed over here
 * (a plugin never imports a module). The legacy listeners register the plugin with the same object.
 */
export interface AuthPluginOptions {
  /** Access-token verification (modules/auth KeyStore). */
  tokens: { verify(token: string, audiences: readonly Audience[], now: Date): Promise<VerifiedAccess> };
  /** Revocation: is this session still live (modules/auth SessionGuard)? */
  sessions: { isLive(sessionId: string): Promise<boolean> };
  /** Device API keys (modules/api-keys). `apiKeyId` names a known key that was refused. */
  deviceKeys: {
    authenticate(
      key: string,
    ): Promise<{ ok: true; apiKeyId: number; patientId: number } | { ok: false; reason: string; apiKeyId?: number }>;
  };
  /** REQUIRE_STAFF_MFA: has this staff member enrolled (modules/auth StaffMfaStatus)? */
  staffMfa: { enrolled(staffId: number): Promise<boolean> };
  /** Refused attempts are audited. */
  audit: AuditRecorder;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RoutePolicy;
    /** With REQUIRE_STAFF_MFA: staff who have not enrolled in MFA yet may call this route (enrollment). */
    allowWithoutMfa?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const SUBJECT = /^(patient|staff|device):([1-9][0-9]{0,15})$/;
const ROLES = new Set<Role>(['patient', 'clinician', 'assistant', 'admin', 'device']);

function audiencesFor(policy: Exclude<RoutePolicy, 'public'>): Audience[] {
  if (policy.audience === 'app') return [AUDIENCES.app];
  if (policy.audience === 'backoffice') return [AUDIENCES.backoffice];
  return [AUDIENCES.app, AUDIENCES.backoffice];
}

/**
 * A device API key from `Authorization: Bearer dk_…` or `X-API-Key: dk_…`. `''` (never a valid key)
 * when the two headers disagree, so an ambiguous request cannot fall back to the access token.
 */
function deviceKeyOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const fromBearer = typeof header === 'string' ? /^Bearer (dk_\S*)$/i.exec(header.trim())?.[1] : undefined;
  const x = request.headers['x-api-key'];
  const fromX = typeof x === 'string' && x.trim().startsWith('dk_') ? x.trim() : undefined;
  if (fromX !== undefined && header !== undefined && fromBearer !== fromX) return '';
  return fromX ?? fromBearer ?? null;
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(header.trim());
  return match?.[1] ?? null;
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
  async function authPlugin(app: FastifyInstance, opts: AuthPluginOptions) {
    app.decorateRequest('principal', null);
    const { deviceKeys, staffMfa } = opts;

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/v1')) return;
      const policy = route.config?.auth;
      if (policy === undefined) {
        throw new Error(`route ${route.method} ${route.url} declares no auth policy (config.auth)`);
      }
      if (policy !== 'public' && policy.devices && policy.audience === 'backoffice') {
        throw new Error(`route ${route.method} ${route.url}: device keys need audience 'app' or 'any'`);
      }
    });

    const deny = async (request: FastifyRequest, reason: string, details: Record<string, unknown> = {}) =>
      opts.audit.record(app.db.db, {
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
      // Device API keys: only where the policy says `devices: true`; the key is the whole credential.
      const deviceKey = deviceKeyOf(request);
      if (deviceKey !== null) {
        if (!policy.devices) throw new UnauthorizedError('Device keys are not accepted here.', 'invalid_token');
        const result = await deviceKeys.authenticate(deviceKey);
        if (!result.ok) {
          if (result.apiKeyId !== undefined) await deny(request, result.reason, { apiKeyId: result.apiKeyId });
          throw new UnauthorizedError('The API key is invalid, expired or revoked.', 'invalid_api_key');
        }
        request.principal = {
          kind: 'device',
          id: result.patientId,
          roles: ['device'],
          actingRole: 'device',
          amr: [],
          audience: AUDIENCES.app,
          sessionId: null,
          tokenId: '',
          apiKeyId: result.apiKeyId,
        };
        if (policy.roles && !policy.roles.includes('device')) {
          await deny(request, 'role', { requiredRoles: [...policy.roles] });
          throw new ForbiddenError();
        }
        return;
      }
      const token = bearerToken(request);
      if (!token) throw new UnauthorizedError();
      // Revocations reach this instance over Redis; without it we cannot know, so refuse (fail closed).
      if (app.redis && (app.redis.status !== 'ready' || !app.events.bus.healthy())) {
        throw new ServiceUnavailableError('Session checks are unavailable; retry shortly.');
      }
      let claims: VerifiedAccess;
      try {
        claims = await opts.tokens.verify(token, audiencesFor(policy), app.clock.now());
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
      if (!claims.sessionId || !(await opts.sessions.isLive(claims.sessionId))) {
        throw new UnauthorizedError('The session has ended; sign in again.', 'session_revoked');
      }
      const acting = policy.roles?.find((r) => roles.includes(r)) ?? roles[0];
      request.principal = principalFrom(subject, roles, claims, acting as Role);
      if (policy.roles && !policy.roles.some((r) => roles.includes(r))) {
        await deny(request, 'role', { requiredRoles: [...policy.roles] });
        throw new ForbiddenError();
      }
      // REQUIRE_STAFF_MFA (AU-7): staff without MFA reach only enrollment, logout and /v1/me. A token
      // from an MFA login (amr `otp`) passes at once; otherwise the credential is checked (cached),
      // which covers refreshed tokens and the session that just enrolled.
      if (
        request.principal.kind === 'staff' &&
        app.config.identity.requireStaffMfa &&
        request.routeOptions.config.allowWithoutMfa !== true &&
        !request.principal.amr.includes('otp') &&
        !(await staffMfa.enrolled(request.principal.id))
      ) {
        throw new AppError(
          403,
          'mfa_enrollment_required',
          'MFA enrollment required',
          'Set up two-factor authentication (POST /v1/auth/mfa/totp/setup) before using this route.',
        );
      }
    });
  },
  { name: 'auth', dependencies: ['context'] },
);
