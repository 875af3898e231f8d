/** Queries of the queue: the settings row, requests and their transition history. */
import { and, asc, count, desc, eq, inArray, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import {
  ACTIVE_REQUEST_STATES,
  appointments,
  patients,
  queueRequests,
  queueRequestTransitions,
  queueSettings,
} from '../../db/schema/index.js';
import type { RequestState } from './appointments.states.js';

export type SettingsRow = typeof queueSettings.$inferSelect;
export type RequestRow = typeof queueRequests.$inferSelect;
export type NewRequest = typeof queueRequests.$inferInsert;
export type TransitionRow = typeof queueRequestTransitions.$inferSelect;
export type NewTransition = typeof queueRequestTransitions.$inferInsert;

const active = inArray(queueRequests.state, [...ACTIVE_REQUEST_STATES]);

export async function readSettings(db: Executor): Promise<SettingsRow> {
  const [row] = await db.select().from(queueSettings).where(eq(queueSettings.id, 1));
  if (!row) throw new Error('queue_settings row missing (migration 0005 seeds it)');
  return row;
}

/** The queue row, locked until the transaction ends: every submit and reset serialises here. */
export async function lockSettings(tx: Executor): Promise<SettingsRow> {
  const [row] = await tx.select().from(queueSettings).where(eq(queueSettings.id, 1)).for('update');
  if (!row) throw new Error('queue_settings row missing (migration 0005 seeds it)');
  return row;
}

export async function updateSettings(
  tx: Executor,
  changes: Partial<Omit<typeof queueSettings.$inferInsert, 'id'>>,
): Promise<SettingsRow> {
  const [row] = await tx.update(queueSettings).set(changes).where(eq(queueSettings.id, 1)).returning();
  if (!row) throw new Error('queue_settings update returned no row');
  return row;
}

export async function counts(db: Executor): Promise<{ active: number; pending: number }> {
  const [row] = await db
    .select({
      active: count(),
      pending: sql<number>`count(*) filter (where ${queueRequests.state} = 'pending')`.mapWith(Number),
    })
    .from(queueRequests)
    .where(active);
  return { active: row?.active ?? 0, pending: row?.pending ?? 0 };
}

/**
 * Everything a submit checks, in one round trip (the unlocked pre-check: under a storm of
 * submits each request should hold a pooled connection as briefly as possible).
 */
export async function submitPrecheck(db: Executor, patientId: number) {
  const [row] = await db
    .select({
      open: queueSettings.open,
      capacity: queueSettings.capacity,
      active: sql<number>`(select count(*)::int from queue_requests where state in ('pending', 'accepted', 'created'))`,
      pending: sql<number>`(select count(*)::int from queue_requests where state = 'pending')`,
      current: sql<RequestState | null>`(select state from queue_requests where patient_id = ${patientId} and released_at is null)`,
    })
    .from(queueSettings)
    .where(eq(queueSettings.id, 1));
  if (!row) throw new Error('queue_settings row missing (migration 0005 seeds it)');
  return { ...row, active: Number(row.active), pending: Number(row.pending) };
}

export async function countActive(db: Executor): Promise<number> {
  const [row] = await db.select({ n: count() }).from(queueRequests).where(active);
  return row?.n ?? 0;
}

/** Pending requests of `day` ahead of `placement`: the live position. */
export async function positionOf(db: Executor, day: number, placement: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(queueRequests)
    .where(
      and(eq(queueRequests.queueDay, day), eq(queueRequests.state, 'pending'), lt(queueRequests.placement, placement)),
    );
  return row?.n ?? 0;
}

/** The patient's current request: not released by a cancel or a day reset (at most one). */
export async function findCurrent(db: Executor, patientId: number): Promise<RequestRow | null> {
  const [row] = await db
    .select()
    .from(queueRequests)
    .where(and(eq(queueRequests.patientId, patientId), isNull(queueRequests.releasedAt)));
  return row ?? null;
}

export async function findRequest(db: Executor, id: number): Promise<RequestRow | null> {
  const [row] = await db.select().from(queueRequests).where(eq(queueRequests.id, id));
  return row ?? null;
}

/** The pending request holding `placement` on `day` (the legacy accept/deny key). */
export async function findPendingByPlacement(db: Executor, day: number, placement: number) {
  const [row] = await db
    .select()
    .from(queueRequests)
    .where(
      and(eq(queueRequests.queueDay, day), eq(queueRequests.placement, placement), eq(queueRequests.state, 'pending')),
    );
  return row ?? null;
}

/**
 * The running queue day's requests that are still current (not released), in placement order:
 * the legacy `appointment_queue` table. Optionally only some states. No paging (legacy lists have
 * none); a day holds what the clinic admitted that day.
 */
export async function listCurrentDay(db: Executor, states?: readonly RequestState[]) {
  const where: SQL[] = [
    eq(queueRequests.queueDay, sql`(select ${queueSettings.day} from ${queueSettings} where ${queueSettings.id} = 1)`),
    isNull(queueRequests.releasedAt),
  ];
  if (states) where.push(inArray(queueRequests.state, [...states]));
  const rows = await db
    .select({
      id: queueRequests.id,
      patientId: queueRequests.patientId,
      placement: queueRequests.placement,
      state: queueRequests.state,
    })
    .from(queueRequests)
    .where(and(...where))
    .orderBy(asc(queueRequests.placement));
  return rows as { id: number; patientId: number; placement: number; state: RequestState }[];
}

export async function insertRequest(tx: Executor, values: NewRequest): Promise<RequestRow> {
  const [row] = await tx.insert(queueRequests).values(values).returning();
  if (!row) throw new Error('queue request insert returned no row');
  return row;
}

/**
 * Moves a request if, and only if, it is still in one of `from` at `version` (optimistic
 * concurrency): the predicate is re-checked under the row lock, so of two racing transitions
 * exactly one gets the row back. The version is bumped.
 */
export async function moveIf(
  tx: Executor,
  id: number,
  from: readonly RequestState[],
  version: number,
  changes: Partial<NewRequest> & { state: RequestState; updatedAt: Date },
): Promise<RequestRow | null> {
  const [row] = await tx
    .update(queueRequests)
    .set({ ...changes, version: sql`${queueRequests.version} + 1` })
    .where(and(eq(queueRequests.id, id), inArray(queueRequests.state, [...from]), eq(queueRequests.version, version)))
    .returning();
  return row ?? null;
}

export async function insertTransitions(tx: Executor, rows: NewTransition[]): Promise<void> {
  if (rows.length > 0) await tx.insert(queueRequestTransitions).values(rows);
}

export async function history(db: Executor, requestId: number): Promise<TransitionRow[]> {
  return db
    .select()
    .from(queueRequestTransitions)
    .where(eq(queueRequestTransitions.requestId, requestId))
    .orderBy(asc(queueRequestTransitions.id));
}

/**
 * The day reset, under the queue lock: every active request closes (and is released), every
 * other current one (denied, resolved) is released. Returns what moved, for history and events.
 */
export async function closeDay(tx: Executor, at: Date) {
  const closing = await tx
    .select({ id: queueRequests.id, patientId: queueRequests.patientId, state: queueRequests.state })
    .from(queueRequests)
    .where(and(isNull(queueRequests.releasedAt), active))
    .orderBy(asc(queueRequests.id))
    .for('update');
  if (closing.length > 0) {
    await tx
      .update(queueRequests)
      .set({ state: 'closed', releasedAt: at, updatedAt: at, version: sql`${queueRequests.version} + 1` })
      .where(
        inArray(
          queueRequests.id,
          closing.map((r) => r.id),
        ),
      );
  }
  const released = await tx
    .update(queueRequests)
    .set({ releasedAt: at, updatedAt: at })
    .where(isNull(queueRequests.releasedAt))
    .returning({ id: queueRequests.id });
  return { closed: closing as { id: number; patientId: number; state: RequestState }[], released: released.length };
}

export interface RequestFilters {
  state?: RequestState | undefined;
  day?: number | undefined;
  patientId?: number | undefined;
}

export interface RequestListRow extends RequestRow {
  patientName: string;
  patientSurname: string;
  position: number | null;
  appointmentId: number | null;
  emergencyCare: boolean | null;
}

const listColumns = {
  request: queueRequests,
  patientName: patients.name,
  patientSurname: patients.surname,
  appointmentId: appointments.id,
  emergencyCare: appointments.emergencyCare,
  // Computed per row of the page only (≤ 100), on the partial index of active requests.
  position: sql<number | null>`case when ${queueRequests.state} = 'pending' then (
      select count(*)::int from queue_requests ahead
      where ahead.queue_day = ${queueRequests.queueDay} and ahead.state = 'pending'
        and ahead.placement < ${queueRequests.placement}) end`,
};

function flatten(r: {
  request: RequestRow;
  patientName: string;
  patientSurname: string;
  appointmentId: number | null;
  emergencyCare: boolean | null;
  position: number | null;
}): RequestListRow {
  return {
    ...r.request,
    patientName: r.patientName,
    patientSurname: r.patientSurname,
    appointmentId: r.appointmentId,
    emergencyCare: r.emergencyCare,
    position: r.position === null ? null : Number(r.position),
  };
}

/** The request with the patient's name and e-mail (decisions answer with it and mail the patient). */
export async function findRequestWithPatient(db: Executor, id: number) {
  const [row] = await db
    .select({
      request: queueRequests,
      patientName: patients.name,
      patientSurname: patients.surname,
      email: patients.email,
    })
    .from(queueRequests)
    .innerJoin(patients, eq(patients.id, queueRequests.patientId))
    .where(eq(queueRequests.id, id));
  return row ?? null;
}

export async function findRequestDetailed(db: Executor, id: number): Promise<RequestListRow | null> {
  const [row] = await db
    .select(listColumns)
    .from(queueRequests)
    .innerJoin(patients, eq(patients.id, queueRequests.patientId))
    .leftJoin(appointments, eq(appointments.requestId, queueRequests.id))
    .where(eq(queueRequests.id, id));
  return row ? flatten(row) : null;
}

export async function listRequests(
  db: Executor,
  filters: RequestFilters,
  limit: number,
  offset: number,
): Promise<{ rows: RequestListRow[]; total: number }> {
  const where: SQL[] = [];
  if (filters.state) where.push(eq(queueRequests.state, filters.state));
  if (filters.day !== undefined) where.push(eq(queueRequests.queueDay, filters.day));
  if (filters.patientId !== undefined) where.push(eq(queueRequests.patientId, filters.patientId));
  const condition = and(...where);
  const [rows, totals] = await Promise.all([
    db
      .select(listColumns)
      .from(queueRequests)
      .innerJoin(patients, eq(patients.id, queueRequests.patientId))
      .leftJoin(appointments, eq(appointments.requestId, queueRequests.id))
      .where(condition)
      .orderBy(desc(queueRequests.queueDay), asc(queueRequests.placement))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(queueRequests).where(condition),
  ]);
  return { rows: rows.map(flatten), total: totals[0]?.n ?? 0 };
}

/** E-mail address and greeting name of a patient (notifications). */
export async function patientContact(db: Executor, patientId: number) {
  const [row] = await db
    .select({ email: patients.email, name: patients.name })
    .from(patients)
    .where(eq(patients.id, patientId));
  return row ?? null;
}

export async function appointmentIdOfRequest(db: Executor, requestId: number): Promise<number | null> {
  const [row] = await db
    .select({ id: appointments.id })
    .from(appointments)
    .where(eq(appointments.requestId, requestId));
  return row?.id ?? null;
}
