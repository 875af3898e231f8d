/**
 * Login and session use cases (security.md §1.1, §1.3). Transport-free: routes map HTTP onto
 * these calls. Unknown identifier and wrong password take the same path and the same time
 * (a dummy argon2 verify), and answer with the same error. The caller's own sessions (list,
 * logout, logout-all, revoke one) are checked for ownership here, not in the routes.
 */
import { createHmac } from 'node:crypto';
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { AuditOrigin, AuditRecorder } from '../../lib/audit.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, NotFoundError, UnauthorizedError } from '../../lib/errors.js';
import type { Principal } from '../../lib/principal.js';
import { createMfaChallenge, MFA_CHALLENGE_TTL_SECONDS } from './auth.mfa-challenge.js';
import { burnDummyVerify, hashPassword, type PasswordAlgo, verifyPassword } from './auth.passwords.js';
import * as repo from './auth.repository.js';
import type { Secrets } from './auth.secrets.js';
import { actorOf, type IssuedTokens, type SessionService } from './auth.sessions.js';
import type { LoginThrottle } from './auth.throttle.js';

export interface AuthDeps {
  db: Database;
  clock: Clock;
  secrets: Secrets;
  audit: AuditRecorder;
  sessions: SessionService;
  /** Per-identifier failures and lockout (security.md AU-6). */
  throttle: LoginThrottle;
}

export type LoginResult =
  | { kind: 'tokens'; tokens: IssuedTokens; account: repo.Account }
  | { kind: 'mfa'; mfaToken: string; expiresIn: number };

/** E-mails and usernames compare lower-case; a DNI written with dots or spaces is its digits. */
export function normaliseIdentifier(raw: string): string {
  const trimmed = raw.trim().normalize('NFKC');
  const digits = trimmed.replace(/[.\s-]/g, '');
  return /^[0-9]{6,10}$/.test(digits) ? digits : trimmed.toLowerCase();
}

function invalidCredentials(): UnauthorizedError {
  return new UnauthorizedError('The identifier or the password is wrong.', 'invalid_credentials');
}

export function toUser(account: repo.Account) {
  return {
    id: account.id,
    kind: account.kind,
    name: account.name,
    surname: account.surname,
    email: account.email,
    roles: account.roles,
    mfaEnabled: account.credential.mfaEnabledAt !== null,
  };
}

export class AuthService {
  constructor(private readonly d: AuthDeps) {}

  private throttleKey(identifier: string): string {
    return createHmac('sha256', this.d.secrets.tokenHmac).update(`login:${identifier}`).digest('hex');
  }

  private async audit(
    origin: AuditOrigin,
    outcome: 'success' | 'failure' | 'denied',
    details: Record<string, unknown>,
    account?: repo.Account,
    tx: Executor = this.d.db,
  ) {
    await this.d.audit.record(tx, {
      ...origin,
      ...(account ? { actor: actorOf(account) } : {}),
      action: 'auth.login',
      resourceType: account ? account.kind : 'account',
      resourceId: account?.id ?? null,
      patientId: account?.kind === 'patient' ? account.id : null,
      outcome,
      details,
    });
  }

  /**
   * `kinds`: which accounts may sign in here (each legacy listener serves one kind; /v1 serves both).
   * The others are not even looked up, so they fail exactly like an unknown identifier.
   */
  async login(
    rawIdentifier: string,
    password: string,
    origin: AuditOrigin,
    kinds: readonly repo.Account['kind'][] = ['patient', 'staff'],
  ): Promise<LoginResult> {
    const identifier = normaliseIdentifier(rawIdentifier);
    const key = this.throttleKey(identifier);
    const lockedMs = await this.d.throttle.lockedForMs(key);
    if (lockedMs > 0) {
      await this.audit(origin, 'denied', { reason: 'locked' });
      throw lockedError(lockedMs);
    }
    // A DNI is matched as typed too: legacy DNIs may hold letters (`TEST1700000000`, E.1), which
    // the identifier normalisation lower-cases for e-mails and usernames.
    const candidates = (await repo.findAccounts(this.d.db, identifier, rawIdentifier.trim())).filter(
      (a) => a.credential.passwordHash !== null && kinds.includes(a.kind),
    );
    let account: repo.Account | undefined;
    for (const candidate of candidates) {
      const { passwordHash, passwordAlgo } = candidate.credential;
      if (await verifyPassword(password, passwordHash as string, passwordAlgo as PasswordAlgo)) {
        account = candidate;
        break;
      }
    }
    if (candidates.length === 0) await burnDummyVerify(password);
    if (!account) {
      const state = await this.d.throttle.fail(key);
      await this.audit(origin, 'failure', { reason: 'invalid_credentials' }, candidates[0]);
      if (state.lockedNow) {
        await this.d.audit.record(this.d.db, {
          ...origin,
          action: 'auth.lockout',
          resourceType: 'account',
          outcome: 'denied',
          details: { lockedForSeconds: Math.ceil(state.lockedForMs / 1000), known: candidates.length > 0 },
        });
      }
      throw invalidCredentials();
    }
    await this.d.throttle.reset(key);
    if (account.blocked) {
      await this.audit(origin, 'denied', { reason: 'blocked' }, account);
      throw new AppError(403, 'account_blocked', 'Account blocked', 'This account is blocked; contact the clinic.');
    }
    const upgradedHash = account.credential.passwordAlgo === 'legacy_sha256';
    return withTransaction(this.d.db, async (tx) => {
      if (upgradedHash) {
        // Upgrade the unsalted legacy hash now that we hold the verified password.
        await repo.setPassword(tx, account.credential.id, await hashPassword(password), this.d.clock.now());
      }
      if (account.credential.mfaEnabledAt !== null) {
        const mfaToken = await createMfaChallenge(this.d, tx, account);
        await this.audit(origin, 'success', { step: 'password', mfa: 'required', upgradedHash }, account, tx);
        return { kind: 'mfa' as const, mfaToken, expiresIn: MFA_CHALLENGE_TTL_SECONDS };
      }
      const tokens = await this.d.sessions.start(tx, account, origin, ['pwd']);
      await this.audit(origin, 'success', { sessionId: tokens.sessionId, upgradedHash }, account, tx);
      return { kind: 'tokens' as const, tokens, account };
    });
  }

  /** Rotates a refresh token (see SessionService.refresh). */
  refresh(refreshToken: string, origin: AuditOrigin): Promise<IssuedTokens> {
    return this.d.sessions.refresh(refreshToken, origin);
  }

  /** Ends the caller's current session; false when it had already ended (or there is none). */
  logout(principal: Principal | null, origin: AuditOrigin): Promise<boolean> {
    const sid = principal?.sessionId;
    return sid ? this.d.sessions.revoke(sid, 'logout', origin) : Promise.resolve(false);
  }

  /** Ends every session of the caller; returns how many were live. */
  async logoutAll(principal: Principal | null, origin: AuditOrigin): Promise<number> {
    const credentialId = await credentialIdOf(this.d.db, principal);
    return withTransaction(this.d.db, (tx) => this.d.sessions.revokeAll(tx, credentialId, 'logout_all', origin));
  }

  /** The caller's active sessions. */
  async sessionsOf(principal: Principal | null) {
    return this.d.sessions.list(await credentialIdOf(this.d.db, principal));
  }

  /** Revokes one of the caller's own sessions; someone else's is indistinguishable from a missing one. */
  async revokeOwnSession(principal: Principal | null, sessionId: string, origin: AuditOrigin): Promise<boolean> {
    const credentialId = await credentialIdOf(this.d.db, principal);
    const state = await repo.sessionState(this.d.db, sessionId);
    if (!state || state.credentialId !== credentialId) throw new NotFoundError('session');
    return this.d.sessions.revoke(sessionId, 'user_revoked', origin);
  }
}

/** The credential behind a signed-in patient or staff member (devices have none). */
async function credentialIdOf(db: Executor, principal: Principal | null): Promise<number> {
  if (!principal || principal.kind === 'device') throw new UnauthorizedError();
  const credential = await repo.credentialOf(db, principal.kind, principal.id);
  if (!credential) throw new UnauthorizedError();
  return credential.id;
}

export function lockedError(ms: number): AppError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new AppError(
    429,
    'login_locked',
    'Too many failed attempts',
    'Too many failed sign-in attempts; try again later.',
    {
      headers: { 'retry-after': String(seconds) },
    },
  );
}
