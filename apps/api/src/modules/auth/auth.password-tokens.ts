/**
 * Single-use password tokens (security.md PR-2, PR-3, PR-4): 256-bit CSPRNG, stored as a keyed
 * hash, 15 minutes for a reset (7 days for an invitation to set a first password), bound to one
 * credential and purpose. The link is built from the configured PUBLIC_WEB_ORIGIN, never from
 * request headers. The e-mail goes out after the transaction commits. The `password_tokens`
 * queries are in auth.repository.ts.
 */
import type { Executor } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { sendAfterCommit } from '../notifications/mailer.js';
import { invitationMessage, passwordResetMessage } from '../notifications/messages.js';
import { insertPasswordToken } from './auth.repository.js';
import { newOpaqueToken, type Secrets, tokenHash } from './auth.secrets.js';

export type PasswordTokenPurpose = 'reset' | 'invite';
/** The mailer and the logger a failed delivery goes to (notifications' `sendAfterCommit`). */
export type MailDeps = Parameters<typeof sendAfterCommit>[0];

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

export interface PasswordTokenDeps {
  secrets: Secrets;
  clock: Clock;
  /** PUBLIC_WEB_ORIGIN: links are built from configuration, never from request headers (PR-4). */
  publicWebOrigin: string;
  /** Where the link is mailed (after commit), and where a failed delivery is logged. */
  mail: MailDeps;
}

export class PasswordTokens {
  constructor(private readonly d: PasswordTokenDeps) {}

  /** Link of the web page that reads the token (the back-office and the app both route it). */
  link(purpose: PasswordTokenPurpose, token: string, style: PasswordLinkStyle = 'fragment'): string {
    const page = purpose === 'reset' ? 'reset-password' : 'set-password';
    // In the fragment by default: fragments never reach servers, proxies or Referer headers. The
    // legacy query form does (the legacy README lists it); the token is single-use and lives 15 min.
    const separator = style === 'query' ? '?' : '#';
    return `${this.d.publicWebOrigin}/${page}${separator}token=${encodeURIComponent(token)}`;
  }

  /** Creates the token in `tx` and e-mails the link once `tx` has committed. Returns the token. */
  async issue(
    tx: Executor,
    to: Recipient,
    purpose: PasswordTokenPurpose,
    style: PasswordLinkStyle = 'fragment',
  ): Promise<string> {
    const token = newOpaqueToken();
    const now = this.d.clock.now();
    await insertPasswordToken(tx, {
      credentialId: to.credentialId,
      tokenHash: tokenHash(this.d.secrets, token),
      purpose,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PASSWORD_TOKEN_TTL_MS[purpose]),
    });
    const link = this.link(purpose, token, style);
    const content =
      purpose === 'reset'
        ? passwordResetMessage(to.name, link, Math.round(PASSWORD_TOKEN_TTL_MS.reset / 60_000))
        : invitationMessage(to.name, link, Math.round(PASSWORD_TOKEN_TTL_MS.invite / 86_400_000));
    // Fire and forget after commit: the response never waits for SMTP (PR-1).
    await sendAfterCommit(this.d.mail, tx, { to: to.email, ...content }, `password_${purpose}`);
    return token;
  }
}
