/**
 * The password step of an MFA login leaves a challenge: an opaque `mfaToken` (stored hashed,
 * 5 minutes, single use) that `/v1/auth/mfa/verify` exchanges, with a valid code, for tokens.
 */
import type { Executor } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { insertMfaChallenge } from './auth.mfa.repository.js';
import type { Account } from './auth.repository.js';
import { newOpaqueToken, type Secrets, tokenHash } from './auth.secrets.js';
import { audienceOf } from './auth.sessions.js';

export const MFA_CHALLENGE_TTL_SECONDS = 300;

export async function createMfaChallenge(
  deps: { secrets: Secrets; clock: Clock },
  tx: Executor,
  account: Account,
): Promise<string> {
  const token = newOpaqueToken('mfa_');
  const now = deps.clock.now();
  await insertMfaChallenge(tx, {
    credentialId: account.credential.id,
    tokenHash: tokenHash(deps.secrets, token),
    audience: audienceOf(account.kind),
    createdAt: now,
    expiresAt: new Date(now.getTime() + MFA_CHALLENGE_TTL_SECONDS * 1000),
  });
  return token;
}
