/**
 * What a route handler reads off an authenticated request: the caller as an authorization actor
 * and the audit origin. They sit next to the auth plugin because they read what it sets
 * (`request.principal`); every route file imports them from here, not from another module.
 */
import type { FastifyRequest } from 'fastify';
import type { ActorRole, AuditOrigin } from '../lib/audit.js';
import type { Actor } from '../lib/authorization.js';
import { UnauthorizedError } from '../lib/errors.js';

/** The authenticated caller as an authorization actor (protected routes always have one). */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  if (!p) throw new UnauthorizedError();
  return { kind: p.kind, id: p.id, roles: p.roles };
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
