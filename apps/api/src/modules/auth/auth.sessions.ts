/**
 * Sessions and refresh-token rotation (security.md RT-1…RT-7, RT-9).
 *
 * A session is one refresh-token family; its id is the `sid` claim of every access token issued
 * in it. Refresh tokens are 256-bit opaque strings stored as keyed hashes. Each use rotates:
 * the used token is marked, and its successor is *derived* as HMAC(secret, old token), so a
 * replay of the same old token within the grace window (the legacy client retries on 5xx)
 * returns the very same successor without storing any token in clear. After the grace window,
 * presenting a rotated token is reuse: the whole family is revoked and a security event audited.
 * Two concurrent refreshes serialise on the token row: one rotates, the other takes the grace
 * path and returns the same successor — never two live successors.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Config } from '../../config/index.js';
import type { Database, Executor } from '../../db/client.js';
import { afterCommit, withTransaction } from '../../db/transaction.js';
import type { ActorRole, AuditActor, AuditOrigin, AuditRecorder } from '../../lib/audit.js';
import type { Clock } from '../../lib/clock.js';
import { UnauthorizedError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import { AUDIENCES, type Audience } from '../../lib/principal.js';
import type { KeyStore } from './auth.keys.js';
import * as repo from './auth.repository.js';
import { newOpaqueToken, type Secrets, tokenHash } from './auth.secrets.js';

export const REFRESH_GRACE_MS = 10_000;
const MAX_USER_AGENT = 256;

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
  sessionId: string;
}

export interface SessionDeps {
  db: Database;
  keys: KeyStore;
  secrets: Secrets;
  clock: Clock;
  audit: AuditRecorder;
  events: Events;
  config: Config;
  /** Local eviction from the session cache, run right after a revocation commits. */
  onRevoked?: (ids: { sessionId?: string; credentialId?: number }) => void;
}

/** The account as an audit actor (a staff member acts under their first role). */
export function actorOf(account: repo.Account): AuditActor {
  return {
    id: account.id,
    role: (account.kind === 'patient' ? 'patient' : (account.roles[0] ?? 'assistant')) as ActorRole,
  };
}

export function audienceOf(kind: 'patient' | 'staff'): Audience {
  return kind === 'staff' ? AUDIENCES.backoffice : AUDIENCES.app;
}

function invalidGrant(): UnauthorizedError {
  return new UnauthorizedError('The refresh token is invalid, expired or revoked.', 'invalid_grant');
}

export class SessionService {
  constructor(private readonly d: SessionDeps) {}

  private successorOf(token: string): string {
    return createHmac('sha256', this.d.secrets.tokenHmac).update(`successor:${token}`).digest('base64url');
  }

  async accessToken(account: repo.Account, sessionId: string, amr: readonly string[]): Promise<string> {
    const now = Math.floor(this.d.clock.now().getTime() / 1000);
    return this.d.keys.sign(
      {
        subject: `${account.kind}:${account.id}`,
        audience: audienceOf(account.kind),
        roles: account.roles,
        sessionId,
        tokenId: randomUUID(),
        amr,
      },
      now,
    );
  }

  /** Opens a session for an authenticated account, inside the caller's transaction. */
  async start(tx: Executor, account: repo.Account, origin: AuditOrigin, amr: readonly string[]): Promise<IssuedTokens> {
    const now = this.d.clock.now();
    const sessionId = randomUUID();
    const refreshToken = newOpaqueToken();
    await repo.insertSession(tx, {
      id: sessionId,
      credentialId: account.credential.id,
      audience: audienceOf(account.kind),
      amr: [...amr],
      ip: origin.ip ?? null,
      userAgent: origin.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.d.config.identity.sessionAbsoluteMs),
    });
    await repo.insertRefreshToken(tx, sessionId, tokenHash(this.d.secrets, refreshToken), now);
    return {
      accessToken: await this.accessToken(account, sessionId, amr),
      refreshToken,
      expiresIn: this.d.keys.accessTtlSeconds,
      tokenType: 'Bearer',
      sessionId,
    };
  }

  /** Rotates a refresh token. Throws 401 `invalid_grant` for anything but a live token. */
  /** `audience`: refuse a family of another audience (a legacy listener serves one kind of account). */
  async refresh(refreshToken: string, origin: AuditOrigin, audience?: string): Promise<IssuedTokens> {
    const now = this.d.clock.now();
    const found = await repo.findRefreshToken(this.d.db, tokenHash(this.d.secrets, refreshToken));
    if (!found) throw invalidGrant();
    const { token, session } = found;
    if (audience !== undefined && session.audience !== audience) throw invalidGrant();
    const account = await repo.accountByCredential(this.d.db, session.credentialId);
    const idleLimit = session.lastUsedAt.getTime() + this.d.config.identity.sessionIdleMs;
    const dead =
      session.revokedAt !== null ||
      session.expiresAt.getTime() <= now.getTime() ||
      idleLimit <= now.getTime() ||
      !account ||
      account.blocked;
    if (dead) {
      if (session.revokedAt === null) await this.revoke(session.id, 'expired', origin);
      throw invalidGrant();
    }
    const successor = this.successorOf(refreshToken);
    const rotated = await withTransaction(this.d.db, async (tx) => {
      if (!(await repo.claimRefreshToken(tx, token.id, now))) return false;
      await repo.insertRefreshToken(tx, session.id, tokenHash(this.d.secrets, successor), now);
      await repo.touchSession(tx, session.id, now);
      await this.d.audit.record(tx, {
        ...origin,
        actor: actorOf(account),
        action: 'auth.refresh',
        resourceType: 'session',
        resourceId: session.id,
        patientId: account.kind === 'patient' ? account.id : null,
        outcome: 'success',
      });
      return true;
    });
    if (!rotated) {
      // Already rotated: a lost response replayed within the grace window gets the same
      // successor; anything later is reuse of a stolen or stale token.
      const again = await repo.findRefreshToken(this.d.db, tokenHash(this.d.secrets, refreshToken));
      const rotatedAt = again?.token.rotatedAt?.getTime() ?? 0;
      const next = await repo.findRefreshToken(this.d.db, tokenHash(this.d.secrets, successor));
      const withinGrace = now.getTime() - rotatedAt <= REFRESH_GRACE_MS && next && next.token.rotatedAt === null;
      if (!withinGrace) {
        await this.reuseDetected(session.id, account, origin);
        throw invalidGrant();
      }
    }
    return {
      accessToken: await this.accessToken(account, session.id, session.amr),
      refreshToken: successor,
      expiresIn: this.d.keys.accessTtlSeconds,
      tokenType: 'Bearer',
      sessionId: session.id,
    };
  }

  private async reuseDetected(sessionId: string, account: repo.Account, origin: AuditOrigin): Promise<void> {
    await withTransaction(this.d.db, async (tx) => {
      await repo.revokeSession(tx, sessionId, 'refresh_reuse', this.d.clock.now());
      await this.d.audit.record(tx, {
        ...origin,
        actor: actorOf(account),
        action: 'auth.refresh_reuse',
        resourceType: 'session',
        resourceId: sessionId,
        patientId: account.kind === 'patient' ? account.id : null,
        outcome: 'denied',
        details: { revoked: 'family' },
      });
      await this.revoked(tx, { sessionId });
    });
  }

  /** After commit: evict here at once, then tell every instance. */
  private async revoked(tx: Executor, ids: { sessionId: string } | { credentialId: number }): Promise<void> {
    await afterCommit(tx, () => this.d.onRevoked?.(ids));
    await this.d.events.publishAfterCommit(tx, 'sessions', 'revoked', ids);
  }

  /** Revokes one session (logout, admin action, expiry). Idempotent. */
  async revoke(sessionId: string, reason: string, origin: AuditOrigin, tx?: Executor): Promise<boolean> {
    const run = async (t: Executor) => {
      const rows = await repo.revokeSession(t, sessionId, reason, this.d.clock.now());
      if (rows.length === 0) return false;
      await this.d.audit.record(t, {
        ...origin,
        action: 'auth.session_revoke',
        resourceType: 'session',
        resourceId: sessionId,
        outcome: 'success',
        details: { reason },
      });
      await this.revoked(t, { sessionId });
      return true;
    };
    return tx ? run(tx) : withTransaction(this.d.db, run);
  }

  /**
   * Revokes every session of a credential (logout-all, password change/reset, block, role
   * change), optionally keeping the caller's own. Runs in `tx` when given, so it commits with the
   * change that caused it.
   */
  async revokeAll(
    tx: Executor,
    credentialId: number,
    reason: string,
    origin: AuditOrigin,
    exceptSessionId?: string,
  ): Promise<number> {
    const rows = await repo.revokeSessionsOf(tx, credentialId, reason, this.d.clock.now(), exceptSessionId);
    await this.d.audit.record(tx, {
      ...origin,
      action: 'auth.sessions_revoke_all',
      resourceType: 'credential',
      resourceId: credentialId,
      outcome: 'success',
      details: { reason, revoked: rows.length },
    });
    await this.revoked(tx, { credentialId });
    return rows.length;
  }

  list(credentialId: number) {
    return repo.activeSessionsOf(this.d.db, credentialId, this.d.clock.now());
  }
}
