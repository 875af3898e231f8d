/** The only file of the staff module that touches the query builder. */

import { and, arrayContains, asc, count, desc, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { insertCredential } from '../../db/credentials.js';
import { credentials, staff } from '../../db/schema/index.js';
import { containsPattern } from '../../lib/search.js';
import type { StaffSort } from './staff.schema.js';

export type StaffRow = typeof staff.$inferSelect;
export type StaffWithMfa = StaffRow & { mfaEnabled: boolean };
export type StaffChanges = Partial<Pick<StaffRow, 'email' | 'name' | 'roles' | 'blocked' | 'updatedAt'>>;

const withMfa = {
  id: staff.id,
  username: staff.username,
  email: staff.email,
  name: staff.name,
  roles: staff.roles,
  blocked: staff.blocked,
  createdAt: staff.createdAt,
  updatedAt: staff.updatedAt,
  mfaEnabled: sql<boolean>`coalesce(${credentials.mfaEnabledAt} is not null, false)`,
};

export async function findStaff(db: Executor, id: number): Promise<StaffWithMfa | null> {
  const [row] = await db
    .select(withMfa)
    .from(staff)
    .leftJoin(credentials, eq(credentials.staffId, staff.id))
    .where(eq(staff.id, id));
  return row ?? null;
}

export async function lockStaff(tx: Executor, id: number): Promise<StaffRow | null> {
  const [row] = await tx.select().from(staff).where(eq(staff.id, id)).for('update');
  return row ?? null;
}

/** The first of username / e-mail already used by another staff member (case-insensitive), or null. */
export async function findStaffConflict(
  db: Executor,
  fields: { username?: string | undefined; email?: string | undefined },
  exceptId?: number,
): Promise<'username' | 'email' | null> {
  const checks: SQL[] = [];
  if (fields.username !== undefined) checks.push(eq(sql`lower(${staff.username})`, fields.username));
  if (fields.email !== undefined) checks.push(eq(sql`lower(${staff.email})`, fields.email));
  if (checks.length === 0) return null;
  const notSelf = exceptId === undefined ? undefined : sql`${staff.id} <> ${exceptId}`;
  const rows = await db
    .select({ username: staff.username, email: staff.email })
    .from(staff)
    .where(and(or(...checks), notSelf))
    .limit(2);
  if (fields.username !== undefined && rows.some((r) => r.username.toLowerCase() === fields.username)) {
    return 'username';
  }
  if (fields.email !== undefined && rows.some((r) => r.email.toLowerCase() === fields.email)) return 'email';
  return null;
}

/** Inserts a staff member and their credential (`passwordHash` null = invited). */
export async function insertStaffWithCredential(
  tx: Executor,
  values: { username: string; email: string; name: string; roles: string[] },
  passwordHash: string | null,
  at: Date,
): Promise<{ row: StaffRow; credentialId: number }> {
  const [row] = await tx
    .insert(staff)
    .values({ ...values, createdAt: at, updatedAt: at })
    .returning();
  if (!row) throw new Error('staff insert returned no row');
  const credential = await insertCredential(tx, { staffId: row.id }, passwordHash, at);
  return { row, credentialId: credential.id };
}

export async function updateStaff(tx: Executor, id: number, changes: StaffChanges): Promise<void> {
  await tx.update(staff).set(changes).where(eq(staff.id, id));
}

export async function credentialIdOfStaff(db: Executor, staffId: number): Promise<number | null> {
  const [row] = await db.select({ id: credentials.id }).from(credentials).where(eq(credentials.staffId, staffId));
  return row?.id ?? null;
}

export async function adminExists(db: Executor): Promise<boolean> {
  const [row] = await db
    .select({ id: staff.id })
    .from(staff)
    .where(arrayContains(staff.roles, ['admin']))
    .limit(1);
  return row !== undefined;
}

/**
 * Serialises bootstraps of the first admin across instances starting at once: a transaction-level
 * advisory lock, released at commit.
 */
export async function lockAdminBootstrap(tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('diabetify:bootstrap-admin'))`);
}

export interface StaffFilters {
  q?: string | undefined;
  role?: string | undefined;
  blocked?: boolean | undefined;
}

function whereOf(filters: StaffFilters): SQL | undefined {
  const where: (SQL | undefined)[] = [];
  if (filters.blocked !== undefined) where.push(eq(staff.blocked, filters.blocked));
  if (filters.role !== undefined) where.push(arrayContains(staff.roles, [filters.role]));
  const q = filters.q?.trim();
  if (q) {
    const pattern = containsPattern(q);
    where.push(or(ilike(staff.username, pattern), ilike(staff.name, pattern), ilike(staff.email, pattern)));
  }
  return and(...where);
}

const SORT_COLUMNS = { username: staff.username, name: staff.name, createdAt: staff.createdAt, id: staff.id } as const;

export async function listStaff(
  db: Executor,
  filters: StaffFilters,
  sort: StaffSort,
  limit: number,
  offset: number,
): Promise<{ rows: StaffWithMfa[]; total: number }> {
  const descending = sort.startsWith('-');
  const column = SORT_COLUMNS[(descending ? sort.slice(1) : sort) as keyof typeof SORT_COLUMNS];
  const where = whereOf(filters);
  const [rows, totals] = await Promise.all([
    db
      .select(withMfa)
      .from(staff)
      .leftJoin(credentials, eq(credentials.staffId, staff.id))
      .where(where)
      .orderBy(descending ? desc(column) : asc(column), descending ? desc(staff.id) : asc(staff.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(staff).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** By sign-in name, compared lower-case like the login. */
export async function findStaffByUsername(db: Executor, username: string): Promise<StaffWithMfa | null> {
  const [row] = await db
    .select(withMfa)
    .from(staff)
    .leftJoin(credentials, eq(credentials.staffId, staff.id))
    .where(eq(sql`lower(${staff.username})`, username.toLowerCase()));
  return row ?? null;
}
