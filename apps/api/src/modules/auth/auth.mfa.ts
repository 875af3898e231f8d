/**
 * TOTP multi-factor authentication (security.md AU-4, AU-6, AU-7). RFC 6238 with the authenticator
 * app defaults: SHA-1, 6 digits, 30 s; only ±1 time step is accepted.
 *
 * - Setup and disable need the current password (re-authentication); enable and disable need a code.
 * - Replay: `credentials.mfa_last_step` holds the last accepted step; a code is accepted only when its
 *   step is greater, and the step advances with a conditional UPDATE, so two concurrent uses of one
 *   code cannot both pass (the second waits on the row lock and then matches nothing).
 * - Login step-up (`verify`): the challenge is claimed with `UPDATE … WHERE used_at IS NULL` inside
 *   the transaction that issues the tokens. A wrong code rolls the claim back, so the challenge stays
 *   usable, but every failure counts: 5 on one challenge burn it, and failures per account share the
 *   login lockout settings (429 with Retry-After, exponential backoff).
 * - Recovery codes: 10 × 50 bits, shown once, stored as keyed hashes, each usable once.
 *
 * The SQL of this feature is auth.mfa.repository.ts; the REQUIRE_STAFF_MFA check is auth.mfa-status.ts.
 */
import { createHmac, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { AuditOrigin, AuditRecorder } from '../../lib/audit.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, ConflictError, UnauthorizedError } from '../../lib/errors.js';
import type { Principal } from '../../lib/principal.js';
import * as mfaRepo from './auth.mfa.repository.js';
import { type PasswordAlgo, verifyPassword } from './auth.passwords.js';
import * as repo from './auth.repository.js';
import { decrypt, encrypt, type Secrets, tokenHash } from './auth.secrets.js';
import { lockedError } from './auth.service.js';
import { actorOf, type IssuedTokens, type SessionService } from './auth.sessions.js';
import type { LoginThrottle } from './auth.throttle.js';

export const TOTP = { algorithm: 'sha1', digits: 6, period: 30 } as const;
export const ISSUER = 'Diabetify';
export const RECOVERY_CODE_COUNT = 10;
export const MAX_ATTEMPTS_PER_CHALLENGE = 5;
/** The per-challenge failure window: a challenge lives 5 minutes (auth.mfa-challenge.ts). */
export const CHALLENGE_WINDOW_MS = 5 * 60_000;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export type SecondFactor = { code: string } | { recoveryCode: string };

/** A TOTP code's time step when it matches within ±1 step of `now`; null otherwise. */
export async function totpStep(secret: string, code: string, now: Date): Promise<number | null> {
  try {
    const result = await verify({
      ...TOTP,
      secret,
      token: code,
      epoch: Math.floor(now.getTime() / 1000),
      epochTolerance: TOTP.period,
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null; // malformed code
  }
}

/** `xxxxx-xxxxx`, 50 bits of base32. */
function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => BASE32[randomInt(32)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Case, spaces and dashes do not matter when a recovery code is typed back. */
function recoveryHash(secrets: Secrets, code: string): string {
  return tokenHash(secrets, `mfa-recovery:${code.toLowerCase().replace(/[\s-]/g, '')}`);
}

const invalidPassword = () =>
  new AppError(400, 'invalid_current_password', 'Invalid current password', 'The current password is wrong.');
const invalidCode = (status: 400 | 401) =>
  new AppError(status, 'invalid_mfa_code', 'Invalid code', 'The code is invalid, expired or already used.');
const invalidChallenge = () =>
  new UnauthorizedError('The MFA challenge is invalid, expired or used; sign in again.', 'invalid_mfa_token');

/** Thrown inside a transaction to roll it back; carries the audit reason. */
class MfaFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface MfaDeps {
  db: Database;
  clock: Clock;
  secrets: Secrets;
  audit: AuditRecorder;
  sessions: SessionService;
  /** REQUIRE_STAFF_MFA: staff may not turn MFA off. */
  requireStaffMfa: boolean;
  /** Failures per account (verify, enable, re-authentication): the login lockout settings. */
  perAccount: LoginThrottle;
  /** Failures per login challenge (MAX_ATTEMPTS_PER_CHALLENGE in CHALLENGE_WINDOW_MS): the last burns it. */
  perChallenge: LoginThrottle;
}

export class MfaService {
  constructor(private readonly d: MfaDeps) {}

  private accountKey(credentialId: number): string {
    return createHmac('sha256', this.d.secrets.tokenHmac).update(`mfa:${credentialId}`).digest('hex');
  }

  private async audit(
    executor: Executor,
    origin: AuditOrigin,
    action: string,
    outcome: 'success' | 'failure' | 'denied',
    account: repo.Account | null,
    details: Record<string, unknown> = {},
  ) {
    await this.d.audit.record(executor, {
      ...origin,
      ...(account && origin.actor.id === null ? { actor: actorOf(account) } : {}),
      action,
      resourceType: account?.kind ?? 'mfa_challenge',
      resourceId: account?.id ?? null,
      patientId: account?.kind === 'patient' ? account.id : null,
      outcome,
      details,
    });
  }

  /** Counts a failure against the account; audits the lockout it may cause. */
  private async fail(origin: AuditOrigin, account: repo.Account): Promise<void> {
    const state = await this.d.perAccount.fail(this.accountKey(account.credential.id));
    if (state.lockedNow) {
      await this.audit(this.d.db, origin, 'auth.lockout', 'denied', account, {
        factor: 'mfa',
        lockedForSeconds: Math.ceil(state.lockedForMs / 1000),
      });
    }
  }

  private async assertNotLocked(origin: AuditOrigin, action: string, account: repo.Account): Promise<void> {
    const ms = await this.d.perAccount.lockedForMs(this.accountKey(account.credential.id));
    if (ms > 0) {
      await this.audit(this.d.db, origin, action, 'denied', account, { reason: 'locked' });
      throw lockedError(ms);
    }
  }

  /** The caller's account, with a throttled check of the current password (AU-4). */
  private async reauthenticate(principal: Principal | null, password: string, origin: AuditOrigin, action: string) {
    const account = await this.accountOf(principal);
    await this.assertNotLocked(origin, action, account);
    const { passwordHash, passwordAlgo } = account.credential;
    if (!passwordHash || !(await verifyPassword(password, passwordHash, passwordAlgo as PasswordAlgo))) {
      await this.audit(this.d.db, origin, action, 'failure', account, { reason: 'invalid_current_password' });
      await this.fail(origin, account);
      throw invalidPassword();
    }
    return account;
  }

  private async accountOf(principal: Principal | null): Promise<repo.Account> {
    if (!principal || principal.kind === 'device') throw new UnauthorizedError();
    const credential = await repo.credentialOf(this.d.db, principal.kind, principal.id);
    const account = credential ? await repo.accountByCredential(this.d.db, credential.id) : null;
    if (!account) throw new UnauthorizedError();
    return account;
  }

  /** Starts enrollment: a new secret, stored encrypted and not yet enabled. */
  async setup(principal: Principal | null, password: string, origin: AuditOrigin) {
    const account = await this.reauthenticate(principal, password, origin, 'auth.mfa_setup');
    if (account.credential.mfaEnabledAt) throw new ConflictError('mfa_already_enabled', 'MFA is already enabled.');
    const secret = generateSecret({ length: 20 });
    const now = this.d.clock.now();
    await withTransaction(this.d.db, async (tx) => {
      await mfaRepo.storePendingSecret(tx, account.credential.id, encrypt(this.d.secrets, secret), now);
      await this.audit(tx, origin, 'auth.mfa_setup', 'success', account);
    });
    const label = account.kind === 'staff' ? (account.username ?? account.email) : account.email;
    return { secret, otpauthUri: generateURI({ ...TOTP, issuer: ISSUER, label, secret }) };
  }

  /** Confirms enrollment with a first code; returns the recovery codes (the only time they are shown). */
  async enable(principal: Principal | null, code: string, origin: AuditOrigin) {
    const account = await this.accountOf(principal);
    const cred = account.credential;
    if (cred.mfaEnabledAt) throw new ConflictError('mfa_already_enabled', 'MFA is already enabled.');
    if (!cred.mfaSecretEnc) throw new ConflictError('mfa_setup_required', 'Call /v1/auth/mfa/totp/setup first.');
    await this.assertNotLocked(origin, 'auth.mfa_enable', account);
    const now = this.d.clock.now();
    const step = await totpStep(decrypt(this.d.secrets, cred.mfaSecretEnc), code, now);
    if (step === null) {
      await this.audit(this.d.db, origin, 'auth.mfa_enable', 'failure', account, { reason: 'invalid_code' });
      await this.fail(origin, account);
      throw invalidCode(400);
    }
    const codes = new Set<string>();
    while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
    await withTransaction(this.d.db, async (tx) => {
      // Same secret as verified, still not enabled: a concurrent setup or enable loses cleanly.
      if (!(await mfaRepo.enableMfa(tx, cred.id, cred.mfaSecretEnc as string, step, now))) {
        throw new ConflictError('mfa_setup_changed', 'MFA setup changed meanwhile; start again.');
      }
      const hashes = [...codes].map((c) => recoveryHash(this.d.secrets, c));
      await mfaRepo.replaceRecoveryCodes(tx, cred.id, hashes);
      // Sessions opened with the password alone end; the enrolling one has just proved the factor.
      await this.d.sessions.revokeAll(tx, cred.id, 'mfa_enabled', origin, principal?.sessionId ?? undefined);
      await this.audit(tx, origin, 'auth.mfa_enable', 'success', account, { recoveryCodes: codes.size });
    });
    await this.d.perAccount.reset(this.accountKey(cred.id));
    return { recoveryCodes: [...codes] };
  }

  /** Turns MFA off: password plus a valid code or recovery code. */
  async disable(principal: Principal | null, password: string, factor: SecondFactor, origin: AuditOrigin) {
    if (principal?.kind === 'staff' && this.d.requireStaffMfa) {
      throw new ConflictError('mfa_required_by_policy', 'MFA is mandatory for staff accounts.');
    }
    const account = await this.reauthenticate(principal, password, origin, 'auth.mfa_disable');
    const cred = account.credential;
    if (!cred.mfaEnabledAt || !cred.mfaSecretEnc) throw new ConflictError('mfa_not_enabled', 'MFA is not enabled.');
    const now = this.d.clock.now();
    try {
      await withTransaction(this.d.db, async (tx) => {
        await this.consumeFactor(tx, cred, factor, now);
        await mfaRepo.disableMfa(tx, cred.id, now);
        await mfaRepo.replaceRecoveryCodes(tx, cred.id, []);
        await this.d.sessions.revokeAll(tx, cred.id, 'mfa_disabled', origin, principal?.sessionId ?? undefined);
        await this.audit(tx, origin, 'auth.mfa_disable', 'success', account, { method: methodOf(factor) });
      });
    } catch (err) {
      if (!(err instanceof MfaFailure)) throw err;
      await this.audit(this.d.db, origin, 'auth.mfa_disable', 'failure', account, { reason: err.reason });
      await this.fail(origin, account);
      throw invalidCode(400);
    }
    return { disabled: true as const };
  }

  /**
   * Checks and spends a second factor inside `tx`: a TOTP code whose step is newer than the last
   * accepted one (advanced atomically), or an unused recovery code. Throws MfaFailure otherwise.
   */
  private async consumeFactor(tx: Executor, cred: repo.CredentialRow, factor: SecondFactor, now: Date) {
    if ('recoveryCode' in factor) {
      const hash = recoveryHash(this.d.secrets, factor.recoveryCode);
      if (!(await mfaRepo.useRecoveryCode(tx, cred.id, hash, now))) throw new MfaFailure('invalid_recovery_code');
      return;
    }
    const step = await totpStep(decrypt(this.d.secrets, cred.mfaSecretEnc as string), factor.code, now);
    if (step === null) throw new MfaFailure('invalid_code');
    if (cred.mfaLastStep !== null && step <= cred.mfaLastStep) throw new MfaFailure('replay');
    if (!(await mfaRepo.advanceMfaStep(tx, cred.id, step))) throw new MfaFailure('replay');
  }

  /** Second step of an MFA login: the challenge from the password step plus a code → tokens. */
  async verify(
    mfaToken: string,
    factor: SecondFactor,
    origin: AuditOrigin,
  ): Promise<{ tokens: IssuedTokens; account: repo.Account }> {
    const db = this.d.db;
    const now = this.d.clock.now();
    const challenge = await mfaRepo.findMfaChallenge(db, tokenHash(this.d.secrets, mfaToken));
    const account = challenge ? await repo.accountByCredential(db, challenge.credentialId) : null;
    if (!challenge || !account || challenge.usedAt || challenge.expiresAt.getTime() <= now.getTime()) {
      const reason = !challenge ? 'unknown_challenge' : challenge.usedAt ? 'challenge_used' : 'challenge_expired';
      await this.audit(db, origin, 'auth.mfa_verify', 'failure', account, { reason, challengeId: challenge?.id });
      throw invalidChallenge();
    }
    await this.assertNotLocked(origin, 'auth.mfa_verify', account);
    if (account.blocked) {
      await this.audit(db, origin, 'auth.mfa_verify', 'denied', account, { reason: 'blocked' });
      throw new AppError(403, 'account_blocked', 'Account blocked', 'This account is blocked; contact the clinic.');
    }
    const cred = account.credential;
    try {
      const tokens = await withTransaction(db, async (tx) => {
        // Single use: the row lock also serialises concurrent attempts on this challenge.
        if (!(await mfaRepo.claimMfaChallenge(tx, challenge.id, now))) throw new MfaFailure('challenge_used');
        if (!cred.mfaEnabledAt || !cred.mfaSecretEnc) throw new MfaFailure('mfa_not_enabled');
        await this.consumeFactor(tx, cred, factor, now);
        const issued = await this.d.sessions.start(tx, account, origin, ['pwd', 'otp']);
        await this.audit(tx, origin, 'auth.mfa_verify', 'success', account, {
          challengeId: challenge.id,
          method: methodOf(factor),
          sessionId: issued.sessionId,
        });
        return issued;
      });
      await this.d.perAccount.reset(this.accountKey(cred.id));
      await this.d.perChallenge.reset(`mfa_challenge:${challenge.id}`);
      return { tokens, account };
    } catch (err) {
      if (!(err instanceof MfaFailure)) throw err;
      await this.audit(db, origin, 'auth.mfa_verify', 'failure', account, {
        reason: err.reason,
        challengeId: challenge.id,
        method: methodOf(factor),
      });
      if (err.reason === 'challenge_used' || err.reason === 'mfa_not_enabled') throw invalidChallenge();
      await this.fail(origin, account);
      const perChallenge = await this.d.perChallenge.fail(`mfa_challenge:${challenge.id}`);
      if (perChallenge.lockedNow) {
        await mfaRepo.claimMfaChallenge(db, challenge.id, now);
      }
      throw invalidCode(401);
    }
  }
}

function methodOf(factor: SecondFactor): 'totp' | 'recovery_code' {
  return 'recoveryCode' in factor ? 'recovery_code' : 'totp';
}
