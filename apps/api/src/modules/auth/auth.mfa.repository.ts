/**
 * The SQL of MFA: the credential's MFA columns, login challenges and recovery codes. The
 * conditional UPDATEs are the concurrency guards auth.mfa.ts relies on (each returns whether it
 * matched, so of two concurrent uses exactly one wins).
 */
import { and, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { credentials, mfaChallenges, mfaRecoveryCodes } from '../../db/schema/index.js';

export type MfaChallengeRow = typeof mfaChallenges.$inferSelect;

/** When the staff member's MFA was enabled, or null (not enrolled, or no credential). */
export async function staffMfaEnabledAt(db: Executor, staffId: number): Promise<Date | null> {
  const [row] = await db
    .select({ enabledAt: credentials.mfaEnabledAt })
    .from(credentials)
    .where(eq(credentials.staffId, staffId));
  return row?.enabledAt ?? null;
}

/** Stores a new (encrypted) secret for a credential that has not enabled MFA yet. */
export async function storePendingSecret(tx: Executor, credentialId: number, secretEnc: string, at: Date) {
  await tx
    .update(credentials)
    .set({ mfaSecretEnc: secretEnc, mfaLastStep: null, updatedAt: at })
    .where(and(eq(credentials.id, credentialId), isNull(credentials.mfaEnabledAt)));
}

/** Enables MFA if the credential still holds `secretEnc` and is not enabled; false otherwise. */
export async function enableMfa(tx: Executor, credentialId: number, secretEnc: string, step: number, at: Date) {
  const rows = await tx
    .update(credentials)
    .set({ mfaEnabledAt: at, mfaLastStep: step, updatedAt: at })
    .where(
      and(eq(credentials.id, credentialId), isNull(credentials.mfaEnabledAt), eq(credentials.mfaSecretEnc, secretEnc)),
    )
    .returning({ id: credentials.id });
  return rows.length > 0;
}

export async function disableMfa(tx: Executor, credentialId: number, at: Date): Promise<void> {
  await tx
    .update(credentials)
    .set({ mfaSecretEnc: null, mfaEnabledAt: null, mfaLastStep: null, updatedAt: at })
    .where(eq(credentials.id, credentialId));
}

/** Advances the last accepted TOTP step to `step` if it is newer; false means a replay. */
export async function advanceMfaStep(tx: Executor, credentialId: number, step: number): Promise<boolean> {
  const rows = await tx
    .update(credentials)
    .set({ mfaLastStep: step })
    .where(
      and(
        eq(credentials.id, credentialId),
        isNotNull(credentials.mfaEnabledAt),
        or(isNull(credentials.mfaLastStep), lt(credentials.mfaLastStep, step)),
      ),
    )
    .returning({ id: credentials.id });
  return rows.length > 0;
}

/** Replaces every recovery code of a credential (none when `hashes` is empty). */
export async function replaceRecoveryCodes(tx: Executor, credentialId: number, hashes: readonly string[]) {
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.credentialId, credentialId));
  if (hashes.length > 0) {
    await tx.insert(mfaRecoveryCodes).values(hashes.map((codeHash) => ({ credentialId, codeHash })));
  }
}

/** Spends an unused recovery code; false when no such unused code exists. */
export async function useRecoveryCode(tx: Executor, credentialId: number, codeHash: string, at: Date) {
  const used = await tx
    .update(mfaRecoveryCodes)
    .set({ usedAt: at })
    .where(
      and(
        eq(mfaRecoveryCodes.credentialId, credentialId),
        eq(mfaRecoveryCodes.codeHash, codeHash),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return used.length > 0;
}

export async function insertMfaChallenge(tx: Executor, row: typeof mfaChallenges.$inferInsert): Promise<void> {
  await tx.insert(mfaChallenges).values(row);
}

export async function findMfaChallenge(db: Executor, tokenHash: string): Promise<MfaChallengeRow | null> {
  const [row] = await db.select().from(mfaChallenges).where(eq(mfaChallenges.tokenHash, tokenHash));
  return row ?? null;
}

/** Marks the challenge used if it is not yet; false when another attempt claimed it first. */
export async function claimMfaChallenge(tx: Executor, id: number, at: Date): Promise<boolean> {
  const claimed = await tx
    .update(mfaChallenges)
    .set({ usedAt: at })
    .where(and(eq(mfaChallenges.id, id), isNull(mfaChallenges.usedAt)))
    .returning({ id: mfaChallenges.id });
  return claimed.length > 0;
}
