/**
 * The password step of an MFA login leaves a challenge: an opaque `mfaToken` (stored hashed,
 * 5 minutes, single use) that `/v1/auth/mfa/verify` exchanges, with a valid code, for tokens.
 */
import type { FastifyInstance } from 'fastify';
import type { Executor } from '../../db/client.js';
import { mfaChallenges } from '../../db/schema/index.js';
import type { Account } from './auth.repository.js';
import { newOpaqueToken, tokenHash } from './auth.secrets.js';
import { audienceOf } from './auth.sessions.js';

export const MFA_CHALLENGE_TTL_SECONDS = 300;

export async function createMfaChallenge(app: FastifyInstance, tx: Executor, account: Account): Promise<string> {
  const token = newOpaqueToken('mfa_');
  const now = app.clock.now();
  await tx.insert(mfaChallenges).values({
    credentialId: account.credential.id,
    tokenHash: tokenHash(app.secrets, token),
    audience: audienceOf(account.kind),
    createdAt: now,
    expiresAt: new Date(now.getTime() + MFA_CHALLENGE_TTL_SECONDS * 1000),
  });
  return token;
}
