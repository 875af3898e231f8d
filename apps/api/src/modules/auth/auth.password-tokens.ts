/**
 * Single-use password tokens (security.md PR-2, PR-4): 256-bit CSPRNG, stored as a keyed hash,
 * 15 minutes for a reset (7 days for an invitation to set a first password), bound to one
 * credential and purpose. The link is built from the configured PUBLIC_WEB_ORIGIN, never from
 * request headers. The e-mail goes out after the transaction commits.
 */
import type { FastifyInstance } from 'fastify';
import type { Executor } from '../../db/client.js';
import { passwordTokens } from '../../db/schema/index.js';
import { afterCommit } from '../../db/transaction.js';
import { newOpaqueToken, tokenHash } from './auth.secrets.js';

export type PasswordTokenPurpose = 'reset' | 'invite';

export const PASSWORD_TOKEN_TTL_MS: Record<PasswordTokenPurpose, number> = {
  reset: 15 * 60_000,
  invite: 7 * 86_400_000,
};

export interface Recipient {
  credentialId: number;
  email: string;
  name: string;
}

/** Link path of the web page that reads the token (the back-office and the app both route it). */
export function passwordLink(app: FastifyInstance, purpose: PasswordTokenPurpose, token: string): string {
  const page = purpose === 'reset' ? 'reset-password' : 'set-password';
  return `${app.config.http.publicWebOrigin}/${page}#token=${encodeURIComponent(token)}`;
}

/** Creates the token in `tx` and e-mails the link once `tx` has committed. Returns the token. */
export async function issuePasswordToken(
  app: FastifyInstance,
  tx: Executor,
  to: Recipient,
  purpose: PasswordTokenPurpose,
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
  const link = passwordLink(app, purpose, token);
  const minutes = Math.round(PASSWORD_TOKEN_TTL_MS[purpose] / 60_000);
  const message =
    purpose === 'reset'
      ? {
          subject: 'Diabetify: restablecer contraseña / reset your password',
          text: `Hola ${to.name},\n\nPara elegir una nueva contraseña abrí este enlace (vale ${minutes} minutos, una sola vez):\n${link}\n\nSi no lo pediste, ignorá este mensaje.\n`,
        }
      : {
          subject: 'Diabetify: tu cuenta / your account',
          text: `Hola ${to.name},\n\nLa clínica creó tu cuenta. Elegí tu contraseña con este enlace (vale 7 días, una sola vez):\n${link}\n`,
        };
  await afterCommit(tx, () => {
    // Fire and forget: the response never waits for SMTP (PR-1).
    app.mailer.send({ to: to.email, ...message }).catch((err) => app.log.warn({ err }, 'password e-mail failed'));
  });
  return token;
}
