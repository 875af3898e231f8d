/**
 * Forgot, reset and change password (security.md §1.4 PR-1…PR-8, AU-4, RT-7). Transport-free:
 * the routes map HTTP onto these calls.
 *
 * - forgot: the same answer, and the same database work, whether or not the address belongs to
 *   anyone (PR-1); the e-mail leaves after commit, in the background. Nothing about the account
 *   changes (PR-7). At most RESET_MAILS_PER_ACCOUNT links per account per window (PR-6).
 * - reset: a token is used at most once even under concurrency (PR-3); success sets the password,
 *   burns every other token, ends every session and notifies the owner (PR-5). It never signs in:
 *   the next login still asks for MFA when enabled. Failures are 400, never 401 (PR-8).
 * - change: requires the current password (AU-4); ends every session but the caller's.
 */
import type { Config } from '../../config/index.js';
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { AuditOrigin, AuditOutcome, AuditRecorder } from '../../lib/audit.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, ForbiddenError, UnauthorizedError, ValidationError } from '../../lib/errors.js';
import type { Principal } from '../../lib/principal.js';
import { sendAfterCommit } from '../notifications/mailer.js';
import { passwordChangedMessage } from '../notifications/messages.js';
import type { MailDeps, PasswordLinkStyle, PasswordTokens } from './auth.password-tokens.js';
import { hashPassword, type PasswordAlgo, passwordProblem, verifyPassword } from './auth.passwords.js';
import * as repo from './auth.repository.js';
import { type Secrets, tokenHash } from './auth.secrets.js';
import { actorOf, type SessionService } from './auth.sessions.js';

export interface PasswordDeps {
  db: Database;
  clock: Clock;
  secrets: Secrets;
  audit: AuditRecorder;
  sessions: SessionService;
  tokens: PasswordTokens;
  /** The policy's minimum length per kind of account (PASSWORD_MIN_LENGTH_*). */
  passwordMinLength: Config['identity']['passwordMinLength'];
  /** The clinic's timezone: the "password changed" e-mail states the time there. */
  timezone: string;
  mail: MailDeps;
}

/** Per-account e-mail bombing guard (PR-6). Constants until config grows FORGOT_* settings. */
export const RESET_MAILS_PER_ACCOUNT = 3;
export const RESET_MAIL_WINDOW_MS = 15 * 60_000;

const TOKEN_PURPOSES = new Set(['reset', 'invite']);

/** No credential has id 0 (identity columns start at 1): the unknown-address path locks it. */
const NO_CREDENTIAL = 0;

export function normaliseEmail(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

export function invalidTokenError(): AppError {
  return new AppError(
    400,
    'invalid_token',
    'Invalid or expired link',
    'The link is invalid or expired; request a new one.',
  );
}

function invalidCurrentPassword(): AppError {
  // 400, not 401: a 401 would send the client into its refresh-and-retry path.
  return new AppError(400, 'invalid_current_password', 'Wrong current password', 'The current password is wrong.');
}

type FailureReason = 'unknown_token' | 'used' | 'expired' | 'purpose' | 'account' | 'race';

export class PasswordService {
  constructor(private readonly d: PasswordDeps) {}

  private async audit(
    executor: Executor,
    origin: AuditOrigin,
    action: string,
    outcome: AuditOutcome,
    details: Record<string, unknown>,
    account?: repo.Account,
  ): Promise<void> {
    await this.d.audit.record(executor, {
      ...origin,
      action,
      resourceType: account ? account.kind : 'account',
      resourceId: account?.id ?? null,
      patientId: account?.kind === 'patient' ? account.id : null,
      outcome,
      details,
    });
  }

  /** Policy of security.md AU-2/AU-3, reported on `newPassword` like a field error. */
  private assertAcceptable(account: repo.Account, newPassword: string): void {
    const problem = passwordProblem(newPassword, {
      kind: account.kind,
      minLength: this.d.passwordMinLength[account.kind],
      identifiers: [account.dni, account.username, account.email],
    });
    if (problem) throw new ValidationError({ newPassword: problem }, `The new password ${problem}.`);
  }

  private async notifyChanged(tx: Executor, account: repo.Account, at: Date): Promise<void> {
    const content = passwordChangedMessage(account.name, at, this.d.timezone);
    await sendAfterCommit(this.d.mail, tx, { to: account.email, ...content }, 'password_changed');
  }

  /**
   * Always resolves (the route answers 202 whatever happened). Known and unknown addresses run
   * the same statements (lookup, lock, count, audit), except the token insert.
   */
  async forgot(rawEmail: string, origin: AuditOrigin, linkStyle: PasswordLinkStyle = 'fragment'): Promise<void> {
    const email = normaliseEmail(rawEmail);
    // findAccounts also matches DNI and username; keep only real e-mail matches.
    const accounts = (await repo.findAccounts(this.d.db, email)).filter((a) => normaliseEmail(a.email) === email);
    const now = this.d.clock.now();
    const since = new Date(now.getTime() - RESET_MAIL_WINDOW_MS);
    await withTransaction(this.d.db, async (tx) => {
      if (accounts.length === 0) {
        await repo.lockCredential(tx, NO_CREDENTIAL);
        await repo.resetTokensSince(tx, NO_CREDENTIAL, since);
        await this.audit(tx, origin, 'auth.password_forgot', 'success', { known: false, emailed: false });
        return;
      }
      // One address can belong to a patient and a staff member: each gets its own link.
      for (const account of accounts) {
        const credentialId = account.credential.id;
        await repo.lockCredential(tx, credentialId);
        const recent = await repo.resetTokensSince(tx, credentialId, since);
        if (account.blocked) {
          // A blocked account cannot sign in anyway; do not mail former staff or barred users.
          await this.audit(
            tx,
            origin,
            'auth.password_forgot',
            'denied',
            { known: true, emailed: false, reason: 'blocked' },
            account,
          );
        } else if (recent >= RESET_MAILS_PER_ACCOUNT) {
          await this.audit(
            tx,
            origin,
            'auth.password_forgot',
            'denied',
            { known: true, emailed: false, reason: 'account_limit', recent },
            account,
          );
        } else {
          await this.d.tokens.issue(tx, { credentialId, email: account.email, name: account.name }, 'reset', linkStyle);
          await this.audit(tx, origin, 'auth.password_forgot', 'success', { known: true, emailed: true }, account);
        }
      }
    });
  }

  private async refuse(
    origin: AuditOrigin,
    reason: FailureReason,
    row?: repo.PasswordTokenRow,
    account?: repo.Account | null,
  ): Promise<AppError> {
    const details: Record<string, unknown> = {
      reason,
      ...(row ? { purpose: row.purpose, credentialId: row.credentialId } : {}),
    };
    await this.audit(this.d.db, origin, 'auth.password_reset', 'failure', details, account ?? undefined);
    return invalidTokenError();
  }

  /** Sets a new password with a reset or invitation token. */
  async reset(token: string, newPassword: string, origin: AuditOrigin): Promise<void> {
    const now = this.d.clock.now();
    const row = await repo.findPasswordToken(this.d.db, tokenHash(this.d.secrets, token));
    if (!row) throw await this.refuse(origin, 'unknown_token');
    // Loaded before the checks so that a refused link is audited against its account.
    const account = await repo.accountByCredential(this.d.db, row.credentialId);
    if (!TOKEN_PURPOSES.has(row.purpose)) throw await this.refuse(origin, 'purpose', row, account);
    if (row.usedAt !== null) throw await this.refuse(origin, 'used', row, account);
    if (row.expiresAt.getTime() <= now.getTime()) throw await this.refuse(origin, 'expired', row, account);
    if (!account || account.blocked) throw await this.refuse(origin, 'account', row, account);
    // Policy before the token is spent: a refused password leaves the link usable for a retry.
    this.assertAcceptable(account, newPassword);
    // Hash outside the transaction: ~30 ms of argon2 must not hold row locks (or PGlite's one connection).
    const hash = await hashPassword(newPassword);
    const done = await withTransaction(this.d.db, async (tx) => {
      await repo.lockCredential(tx, account.credential.id);
      // Re-checked under the lock: of two concurrent uses, exactly one gets here (PR-3).
      if (!(await repo.claimPasswordToken(tx, row.id, now))) return false;
      await repo.setPassword(tx, account.credential.id, hash, now);
      const retiredTokens = await repo.retireOutstandingTokens(tx, account.credential.id, now);
      // The caller proved control of the account (a valid token): from here on they act as its
      // owner. Failed attempts stay anonymous: anyone can present a stale link.
      const asOwner = { ...origin, actor: actorOf(account) };
      const revokedSessions = await this.d.sessions.revokeAll(tx, account.credential.id, 'password_reset', asOwner);
      await this.audit(
        tx,
        asOwner,
        'auth.password_reset',
        'success',
        { purpose: row.purpose, revokedSessions, retiredTokens },
        account,
      );
      await this.notifyChanged(tx, account, now);
      return true;
    });
    if (!done) throw await this.refuse(origin, 'race', row, account);
  }

  /** Changes the caller's own password; the caller's session survives, every other one ends. */
  async change(principal: Principal | null, currentPassword: string, newPassword: string, origin: AuditOrigin) {
    if (!principal) throw new UnauthorizedError();
    if (principal.kind === 'device') throw new ForbiddenError('Devices have no password.');
    const credential = await repo.credentialOf(this.d.db, principal.kind, principal.id);
    const account = credential ? await repo.accountByCredential(this.d.db, credential.id) : null;
    if (!account) throw new UnauthorizedError();
    const { passwordHash, passwordAlgo } = account.credential;
    const verified =
      passwordHash !== null && (await verifyPassword(currentPassword, passwordHash, passwordAlgo as PasswordAlgo));
    if (!verified) {
      await this.audit(this.d.db, origin, 'auth.password_change', 'failure', { reason: 'current_password' }, account);
      throw invalidCurrentPassword();
    }
    this.assertAcceptable(account, newPassword);
    if (newPassword === currentPassword) {
      throw new ValidationError(
        { newPassword: 'must differ from the current password' },
        'The new password must differ from the current one.',
      );
    }
    const hash = await hashPassword(newPassword);
    const now = this.d.clock.now();
    const changed = await withTransaction(this.d.db, async (tx) => {
      const locked = await repo.lockCredential(tx, account.credential.id);
      // Another change or reset landed since we verified: the password we checked is gone.
      if (!locked || locked.passwordHash !== passwordHash) return false;
      await repo.setPassword(tx, account.credential.id, hash, now);
      const retiredTokens = await repo.retireOutstandingTokens(tx, account.credential.id, now);
      const revokedSessions = await this.d.sessions.revokeAll(
        tx,
        account.credential.id,
        'password_change',
        origin,
        principal.sessionId ?? undefined,
      );
      await this.audit(tx, origin, 'auth.password_change', 'success', { revokedSessions, retiredTokens }, account);
      await this.notifyChanged(tx, account, now);
      return true;
    });
    if (!changed) {
      await this.audit(this.d.db, origin, 'auth.password_change', 'failure', { reason: 'concurrent_change' }, account);
      throw invalidCurrentPassword();
    }
  }

  /**
   * Replaces a credential's password inside the caller's transaction and burns its outstanding
   * reset and invitation links (PR-5); returns how many were burnt. For a use case that has
   * already checked who may do this (the legacy back-office's own-password change).
   */
  async replaceInTransaction(tx: Executor, credentialId: number, hash: string, at: Date): Promise<number> {
    await repo.lockCredential(tx, credentialId);
    await repo.setPassword(tx, credentialId, hash, at);
    return repo.retireOutstandingTokens(tx, credentialId, at);
  }
}
