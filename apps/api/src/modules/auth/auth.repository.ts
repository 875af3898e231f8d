/**
 * Accounts, credentials, sessions, refresh and password tokens, and the login throttle rows. With
 * auth.mfa.repository.ts, the only files of the auth module that touch the query builder.
 */
import { and, count, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import {
  credentials,
  loginThrottle,
  passwordTokens,
  patients,
  refreshTokens,
  sessions,
  staff,
} from '../../db/schema/index.js';

export type CredentialRow = typeof credentials.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type PasswordTokenRow = typeof passwordTokens.$inferSelect;

export interface Account {
  kind: 'patient' | 'staff';
  /** patient id or staff id */
  id: number;
  credential: CredentialRow;
  name: string;
  surname: string | null;
  email: string;
  username: string | null;
  dni: string | null;
  roles: string[];
  blocked: boolean;
}

const patientColumns = {
  id: patients.id,
  name: patients.name,
  surname: patients.surname,
  email: patients.email,
  dni: patients.dni,
  blocked: patients.blocked,
};
const staffColumns = {
  id: staff.id,
  name: staff.name,
  email: staff.email,
  username: staff.username,
  roles: staff.roles,
  blocked: staff.blocked,
};

/** Patients by DNI or e-mail, staff by username or e-mail (identifier already normalised). */
export async function findAccounts(db: Executor, identifier: string, dni = identifier): Promise<Account[]> {
  const [p, s] = await Promise.all([
    db
      .select({ ...patientColumns, credential: credentials })
      .from(patients)
      .innerJoin(credentials, eq(credentials.patientId, patients.id))
      .where(or(eq(patients.dni, identifier), eq(patients.dni, dni), eq(sql`lower(${patients.email})`, identifier)))
      .limit(2),
    db
      .select({ ...staffColumns, credential: credentials })
      .from(staff)
      .innerJoin(credentials, eq(credentials.staffId, staff.id))
      .where(or(eq(sql`lower(${staff.username})`, identifier), eq(sql`lower(${staff.email})`, identifier)))
      .limit(2),
  ]);
  return [
    ...p.map((r) => ({ kind: 'patient' as const, username: null, roles: ['patient'], ...r })),
    ...s.map((r) => ({ kind: 'staff' as const, surname: null, dni: null, ...r })),
  ];
}

export async function accountByCredential(db: Executor, credentialId: number): Promise<Account | null> {
  const [cred] = await db.select().from(credentials).where(eq(credentials.id, credentialId));
  if (!cred) return null;
  if (cred.patientId !== null) {
    const [p] = await db.select(patientColumns).from(patients).where(eq(patients.id, cred.patientId));
    return p ? { kind: 'patient', username: null, roles: ['patient'], credential: cred, ...p } : null;
  }
  const [s] = await db
    .select(staffColumns)
    .from(staff)
    .where(eq(staff.id, cred.staffId ?? 0));
  return s ? { kind: 'staff', surname: null, dni: null, credential: cred, ...s } : null;
}

export async function credentialOf(db: Executor, kind: 'patient' | 'staff', id: number) {
  const [row] = await db
    .select()
    .from(credentials)
    .where(kind === 'patient' ? eq(credentials.patientId, id) : eq(credentials.staffId, id));
  return row ?? null;
}

export async function setPassword(db: Executor, credentialId: number, hash: string, at: Date): Promise<void> {
  await db
    .update(credentials)
    .set({ passwordHash: hash, passwordAlgo: 'argon2id', passwordChangedAt: at, updatedAt: at })
    .where(eq(credentials.id, credentialId));
}

export async function insertSession(db: Executor, row: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(row);
}

export async function insertRefreshToken(db: Executor, sessionId: string, tokenHash: string, at: Date) {
  await db.insert(refreshTokens).values({ sessionId, tokenHash, createdAt: at }).onConflictDoNothing();
}

export async function findRefreshToken(db: Executor, tokenHash: string) {
  const [row] = await db
    .select({ token: refreshTokens, session: sessions })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash));
  return row ?? null;
}

/** Marks a token used; returns false when another request rotated it first (row lock + predicate). */
export async function claimRefreshToken(db: Executor, tokenId: number, at: Date): Promise<boolean> {
  const rows = await db
    .update(refreshTokens)
    .set({ rotatedAt: at })
    .where(and(eq(refreshTokens.id, tokenId), isNull(refreshTokens.rotatedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length === 1;
}

export async function touchSession(db: Executor, sessionId: string, at: Date): Promise<void> {
  await db.update(sessions).set({ lastUsedAt: at }).where(eq(sessions.id, sessionId));
}

export async function revokeSession(db: Executor, sessionId: string, reason: string, at: Date) {
  return db
    .update(sessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id, credentialId: sessions.credentialId });
}

export async function revokeSessionsOf(
  db: Executor,
  credentialId: number,
  reason: string,
  at: Date,
  exceptSessionId?: string,
) {
  const where = [eq(sessions.credentialId, credentialId), isNull(sessions.revokedAt)];
  if (exceptSessionId) where.push(sql`${sessions.id} <> ${exceptSessionId}`);
  return db
    .update(sessions)
    .set({ revokedAt: at, revokedReason: reason })
    .where(and(...where))
    .returning({ id: sessions.id });
}

export async function activeSessionsOf(db: Executor, credentialId: number, now: Date) {
  return db
    .select()
    .from(sessions)
    .where(
      and(eq(sessions.credentialId, credentialId), isNull(sessions.revokedAt), sql`${sessions.expiresAt} > ${now}`),
    )
    .orderBy(sql`${sessions.lastUsedAt} desc`)
    .limit(100);
}

export async function sessionState(db: Executor, sessionId: string) {
  const [row] = await db
    .select({ revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt, credentialId: sessions.credentialId })
    .from(sessions)
    .where(eq(sessions.id, sessionId));
  return row ?? null;
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

export async function insertPasswordToken(db: Executor, row: typeof passwordTokens.$inferInsert): Promise<void> {
  await db.insert(passwordTokens).values(row);
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

export async function throttleLockedUntil(db: Executor, key: string): Promise<Date | null> {
  const rows = await db
    .select({ lockedUntil: loginThrottle.lockedUntil })
    .from(loginThrottle)
    .where(sql`${loginThrottle.identifierHash} = ${key}`);
  return rows[0]?.lockedUntil ?? null;
}

/**
 * Counts one failure in one statement, restarting a window that began before `windowStart`. The
 * upsert's row lock orders parallel attempts until the caller's transaction ends.
 */
export async function countThrottleFailure(tx: Executor, key: string, now: Date, windowStart: Date) {
  const [row] = await tx
    .insert(loginThrottle)
    .values({ identifierHash: key, failures: 1, windowStartedAt: now, lockLevel: 0 })
    .onConflictDoUpdate({
      target: loginThrottle.identifierHash,
      set: {
        failures: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then 1 else ${loginThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then ${now} else ${loginThrottle.windowStartedAt} end`,
      },
    })
    .returning({ failures: loginThrottle.failures, lockLevel: loginThrottle.lockLevel });
  return row ?? null;
}

/** Locks the key until `until`, starts a new window and raises the lock level (the next lock doubles). */
export async function lockThrottle(tx: Executor, key: string, now: Date, until: Date): Promise<void> {
  await tx
    .update(loginThrottle)
    .set({ failures: 0, windowStartedAt: now, lockedUntil: until, lockLevel: sql`${loginThrottle.lockLevel} + 1` })
    .where(sql`${loginThrottle.identifierHash} = ${key}`);
}

export async function clearThrottle(db: Executor, key: string): Promise<void> {
  await db.delete(loginThrottle).where(sql`${loginThrottle.identifierHash} = ${key}`);
}
