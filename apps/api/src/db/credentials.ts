/**
 * The one insert of a `credentials` row. Patients, staff and the legacy demo fixtures each create
 * an account's credential in the same transaction as the account; the row's rules (argon2id or no
 * password yet = an invitation pending) live here once instead of in each module's repository.
 * Everything else about credentials (sign-in, password changes, lockout) stays with modules/auth.
 */
import type { Executor } from './client.js';
import { credentials } from './schema/index.js';

export type CredentialOwner = { patientId: number } | { staffId: number };

/** `passwordHash` null: no password yet (the account was invited and sets one from the mail). */
export async function insertCredential(
  tx: Executor,
  owner: CredentialOwner,
  passwordHash: string | null,
  at: Date,
): Promise<{ id: number }> {
  const [row] = await tx
    .insert(credentials)
    .values({
      ...owner,
      passwordHash,
      passwordAlgo: passwordHash ? 'argon2id' : null,
      passwordChangedAt: passwordHash ? at : null,
      createdAt: at,
      updatedAt: at,
    })
    .returning({ id: credentials.id });
  if (!row) throw new Error('credential insert returned no row');
  return row;
}
