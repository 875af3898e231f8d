/** The only file of the patients module that touches the query builder. */
import { and, asc, count, desc, eq, gt, ilike, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { credentials, patients } from '../../db/schema/index.js';
import { containsPattern } from '../../lib/search.js';
import type { PatientSort } from './patients.schema.js';

export type PatientRow = typeof patients.$inferSelect;
export type NewPatient = typeof patients.$inferInsert;
export type PatientChanges = Partial<Omit<NewPatient, 'id' | 'createdAt'>>;

export async function findPatient(db: Executor, id: number): Promise<PatientRow | null> {
  const [row] = await db.select().from(patients).where(eq(patients.id, id));
  return row ?? null;
}

/** The row, locked until the transaction ends (concurrent edits of one patient serialise). */
export async function lockPatient(tx: Executor, id: number): Promise<PatientRow | null> {
  const [row] = await tx.select().from(patients).where(eq(patients.id, id)).for('update');
  return row ?? null;
}

export async function patientExists(db: Executor, id: number): Promise<boolean> {
  const [row] = await db.select({ id: patients.id }).from(patients).where(eq(patients.id, id));
  return row !== undefined;
}

export interface UniqueFields {
  dni?: string | undefined;
  email?: string | undefined;
  hospitalAccount?: string | null | undefined;
}

/**
 * The first unique field already used by another patient, or null. E-mails compare lower-case so
 * an older mixed-case row still counts. The unique constraints remain the guard against races.
 */
export async function findConflict(db: Executor, fields: UniqueFields, exceptId?: number): Promise<string | null> {
  const checks: [string, SQL][] = [];
  if (fields.dni !== undefined) checks.push(['dni', eq(patients.dni, fields.dni)]);
  if (fields.email !== undefined) checks.push(['email', eq(sql`lower(${patients.email})`, fields.email)]);
  if (fields.hospitalAccount) checks.push(['hospitalAccount', eq(patients.hospitalAccount, fields.hospitalAccount)]);
  if (checks.length === 0) return null;
  const notSelf = exceptId === undefined ? undefined : sql`${patients.id} <> ${exceptId}`;
  const rows = await db
    .select({ dni: patients.dni, email: patients.email, hospitalAccount: patients.hospitalAccount })
    .from(patients)
    .where(and(or(...checks.map(([, c]) => c)), notSelf))
    .limit(3);
  for (const [field] of checks) {
    const hit = rows.some((r) =>
      field === 'dni'
        ? r.dni === fields.dni
        : field === 'email'
          ? r.email.toLowerCase() === fields.email
          : r.hospitalAccount === fields.hospitalAccount,
    );
    if (hit) return field;
  }
  return null;
}

export async function insertPatient(tx: Executor, values: NewPatient): Promise<PatientRow> {
  const [row] = await tx.insert(patients).values(values).returning();
  if (!row) throw new Error('patient insert returned no row');
  return row;
}

/** The patient's login credential; `passwordHash` null = invited, no password yet. */
export async function updatePatient(tx: Executor, id: number, changes: PatientChanges): Promise<PatientRow> {
  const [row] = await tx.update(patients).set(changes).where(eq(patients.id, id)).returning();
  if (!row) throw new Error('patient update returned no row');
  return row;
}

export async function credentialIdOfPatient(db: Executor, patientId: number): Promise<number | null> {
  const [row] = await db.select({ id: credentials.id }).from(credentials).where(eq(credentials.patientId, patientId));
  return row?.id ?? null;
}

export interface PatientFilters {
  q?: string | undefined;
  blocked?: boolean | undefined;
}

function whereOf(filters: PatientFilters): SQL | undefined {
  const where: (SQL | undefined)[] = [];
  if (filters.blocked !== undefined) where.push(eq(patients.blocked, filters.blocked));
  const q = filters.q?.trim();
  if (q) {
    const pattern = containsPattern(q);
    const terms: SQL[] = [
      ilike(patients.name, pattern),
      ilike(patients.surname, pattern),
      ilike(sql`${patients.name} || ' ' || ${patients.surname}`, pattern),
      ilike(patients.email, pattern),
      ilike(patients.dni, pattern),
    ];
    // A DNI typed with dots or spaces (`12.345`) matches its digits.
    const digits = q.replace(/[.\s-]/g, '');
    if (/^[0-9]+$/.test(digits) && digits !== q) terms.push(ilike(patients.dni, `%${digits}%`));
    where.push(or(...terms));
  }
  return and(...where);
}

const SORT_COLUMNS = {
  surname: patients.surname,
  name: patients.name,
  dni: patients.dni,
  email: patients.email,
  createdAt: patients.createdAt,
  id: patients.id,
} as const;

function orderOf(sort: PatientSort): SQL[] {
  const descending = sort.startsWith('-');
  const column = SORT_COLUMNS[(descending ? sort.slice(1) : sort) as keyof typeof SORT_COLUMNS];
  const primary = descending ? desc(column) : asc(column);
  // Ties break on id so pages never overlap or skip rows.
  return column === patients.id ? [primary] : [primary, descending ? desc(patients.id) : asc(patients.id)];
}

export async function listPatients(
  db: Executor,
  filters: PatientFilters,
  sort: PatientSort,
  limit: number,
  offset: number,
): Promise<{ rows: PatientRow[]; total: number }> {
  const where = whereOf(filters);
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(patients)
      .where(where)
      .orderBy(...orderOf(sort))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(patients).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** Patients with an id above `afterId`, by id: a keyset chunk for callers that need them all. */
export async function listPatientsAfter(db: Executor, afterId: number, limit: number): Promise<PatientRow[]> {
  return db.select().from(patients).where(gt(patients.id, afterId)).orderBy(asc(patients.id)).limit(limit);
}
