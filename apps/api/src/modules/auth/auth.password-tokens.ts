/**
 * Single-use password tokens (security.md PR-2, PR-3, PR-4): 256-bit CSPRNG, stored as a keyed
 * hash, 15 minutes for a reset (7 days for an invitation to set a first password), bound to one
 * credential and purpose. The link is built from the configured PUBLIC_WEB_ORIGIN, never from
 * request headers. The e-mail goes out after the transaction commits.
 *
 * This file also holds the `password_tokens` queries (it is that table's repository).
 */
import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Executor } from '../../db/client.js';
import { credentials, passwordTokens } from '../../db/schema/index.js';
import { sendAfterCommit } from '../notifications/mailer.js';
import { invitationMessage, passwordResetMessage } from '../notifications/messages.js';
import { newOpaqueToken, tokenHash } from './auth.secrets.js';

export type PasswordTokenPurpose = 'reset' | 'invite';
export type PasswordTokenRow = typeof passwordTokens.$inferSelect;

export const PASSWORD_TOKEN_TTL_MS: Record<PasswordTokenPurpose, number> = {
  reset: 15 * 60_000,
  invite: 7 * 86_400_000,
};

export interface Recipient {
  credentialId: number;
  email: string;
  name: string;
}

/**
 * `fragment`: our own web pages. `query`: the old mobile app (legacy-compat A.8), which reads
 * `/reset-password?token=…` only — asked for by the legacy gateway's /forgot-password.
 */
export type PasswordLinkStyle = 'fragment' | 'query';

/** Link path of the web page that reads the token (the back-office and the app both route it). */
export function passwordLink(
  app: FastifyInstance,
  purpose: PasswordTokenPurpose,
  token: string,
  style: PasswordLinkStyle = 'fragment',
): string {
  const page = purpose === 'reset' ? 'reset-password' : 'set-password';
  // In the fragment by default: fragments never reach servers, proxies or Referer headers. The
  // legacy query form does (the legacy README lists it); the token is single-use and lives 15 min.
  const separator = style === 'query' ? '?' : '#';
  return `${app.config.http.publicWebOrigin}/${page}${separator}token=${encodeURIComponent(token)}`;
}

/** Creates the token in `tx` and e-mails the link once `tx` has committed. Returns the token. */
export async function issuePasswordToken(
  app: FastifyInstance,
  tx: Executor,
  to: Recipient,
  purpose: PasswordTokenPurpose,
  style: PasswordLinkStyle = 'fragment',
): Promise<string> {
  const token = newOpaqueToken();
  const now = app.clock.now();
  await tx.insert(passwordTokens).values({
    credentialId: to.credentialId,
    tokenHash: tokenHash(app.secrets, token),
    purpose,
    createdAt: now,
    expiresAt: new Date(now.getTime() + PASSWORD_TOKEN_TTL_MS[purpose]),
  });
  const link = passwordLink(app, purpose, token, style);
  const content =
    purpose === 'reset'
      ? passwordResetMessage(to.name, link, Math.round(PASSWORD_TOKEN_TTL_MS.reset / 60_000))
      : invitationMessage(to.name, link, Math.round(PASSWORD_TOKEN_TTL_MS.invite / 86_400_000));
  // Fire and forget after commit: the response never waits for SMTP (PR-1).
  await sendAfterCommit(app, tx, { to: to.email, ...content }, `password_${purpose}`);
  return token;
}

/**
 * Locks the credential row for the rest of `tx`. Every password-token mutation takes this lock
 * first, so two requests for one account serialise instead of deadlocking on token rows (two
 * resets with different tokens each retire the other's) or both passing the per-account count.
 * Returns null for an unknown id (the forgot path calls it with one on purpose, see there).
 */
export async function lockCredential(tx: Executor, credentialId: number) {
  const [row] = await tx
    .select({ id: credentials.id, passwordHash: credentials.passwordHash })
    .from(credentials)
    .where(eq(credentials.id, credentialId))
    .for('update');
  return row ?? null;
}

/** Reset tokens issued to a credential since `since` (the per-account e-mail limit, PR-6). */
export async function resetTokensSince(tx: Executor, credentialId: number, since: Date): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(passwordTokens)
    .where(
      and(
        eq(passwordTokens.credentialId, credentialId),
        eq(passwordTokens.purpose, 'reset'),
        gt(passwordTokens.createdAt, since),
      ),
    );
  return row?.n ?? 0;
}

export async function findPasswordToken(db: Executor, hash: string): Promise<PasswordTokenRow | null> {
  const [row] = await db.select().from(passwordTokens).where(eq(passwordTokens.tokenHash, hash));
  return row ?? null;
}

/**
 * Marks the token used if, and only if, it is still unused and unexpired. The predicate is
 * re-checked under the row lock, so of two concurrent uses exactly one gets a row back (PR-3).
 */
export async function claimPasswordToken(tx: Executor, id: number, now: Date): Promise<boolean> {
  const rows = await tx
    .update(passwordTokens)
    .set({ usedAt: now })
    .where(and(eq(passwordTokens.id, id), isNull(passwordTokens.usedAt), sql`${passwordTokens.expiresAt} > ${now}`))
    .returning({ id: passwordTokens.id });
  return rows.length === 1;
}

/**
 * Burns every outstanding token of a credential (after a reset or change, PR-5). There is no
 * separate "revoked" column: a burnt token is indistinguishable from a used one, which is all
 * the reset path needs to refuse it.
 */
export async function retireOutstandingTokens(tx: Executor, credentialId: number, now: Date): Promise<number> {
  const rows = await tx
    .update(passwordTokens)
    .set({ usedAt: now })
    .where(and(eq(passwordTokens.credentialId, credentialId), isNull(passwordTokens.usedAt)))
    .returning({ id: passwordTokens.id });
  return rows.length;
}
