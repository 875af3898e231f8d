/** Queries of appointments and their resolution revisions. */
import { and, asc, count, desc, eq, gte, isNotNull, isNull, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { appointmentResolutions, appointments, patients, queueRequests } from '../../db/schema/index.js';
import type { AppointmentState } from './appointments.schema.js';

export type AppointmentRow = typeof appointments.$inferSelect;
export type NewAppointment = typeof appointments.$inferInsert;
export type ResolutionRow = typeof appointmentResolutions.$inferSelect;
export type NewResolution = typeof appointmentResolutions.$inferInsert;

export interface AppointmentView extends AppointmentRow {
  patientName: string;
  patientSurname: string;
  requestState: string;
}

const viewColumns = {
  appointment: appointments,
  patientName: patients.name,
  patientSurname: patients.surname,
  requestState: queueRequests.state,
};

function flatten(r: {
  appointment: AppointmentRow;
  patientName: string;
  patientSurname: string;
  requestState: string;
}): AppointmentView {
  return {
    ...r.appointment,
    patientName: r.patientName,
    patientSurname: r.patientSurname,
    requestState: r.requestState,
  };
}

export async function insertAppointment(tx: Executor, values: NewAppointment): Promise<AppointmentRow> {
  const [row] = await tx.insert(appointments).values(values).returning();
  if (!row) throw new Error('appointment insert returned no row');
  return row;
}

export async function findAppointment(db: Executor, id: number): Promise<AppointmentView | null> {
  const [row] = await db
    .select(viewColumns)
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(queueRequests, eq(queueRequests.id, appointments.requestId))
    .where(eq(appointments.id, id));
  return row ? flatten(row) : null;
}

/** The appointment row locked for the rest of the transaction: resolution revisions serialise here. */
export async function lockAppointment(tx: Executor, id: number): Promise<AppointmentRow | null> {
  const [row] = await tx.select().from(appointments).where(eq(appointments.id, id)).for('update');
  return row ?? null;
}

export interface AppointmentFilters {
  patientId?: number | undefined;
  state?: AppointmentState | undefined;
  emergencyCare?: boolean | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function listAppointments(
  db: Executor,
  filters: AppointmentFilters,
  limit: number,
  offset: number,
): Promise<{ rows: AppointmentView[]; total: number }> {
  const where: SQL[] = [];
  if (filters.patientId !== undefined) where.push(eq(appointments.patientId, filters.patientId));
  if (filters.state === 'resolved') where.push(isNotNull(appointments.resolutionRevision));
  if (filters.state === 'awaiting_resolution') where.push(isNull(appointments.resolutionRevision));
  if (filters.emergencyCare !== undefined) where.push(eq(appointments.emergencyCare, filters.emergencyCare));
  if (filters.from) where.push(gte(appointments.createdAt, filters.from));
  if (filters.to) where.push(lt(appointments.createdAt, filters.to));
  const condition = and(...where);
  const [rows, totals] = await Promise.all([
    db
      .select(viewColumns)
      .from(appointments)
      .innerJoin(patients, eq(patients.id, appointments.patientId))
      .innerJoin(queueRequests, eq(queueRequests.id, appointments.requestId))
      .where(condition)
      // Emergency-care resolutions first: they are what a clinician must not miss.
      .orderBy(desc(appointments.emergencyCare), desc(appointments.createdAt), desc(appointments.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(appointments).where(condition),
  ]);
  return { rows: rows.map(flatten), total: totals[0]?.n ?? 0 };
}

/** Every appointment of one patient, oldest first, unpaged (the legacy lists have no paging). */
export async function listAppointmentsOfPatient(db: Executor, patientId: number): Promise<AppointmentView[]> {
  const rows = await db
    .select(viewColumns)
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(queueRequests, eq(queueRequests.id, appointments.requestId))
    .where(eq(appointments.patientId, patientId))
    .orderBy(asc(appointments.id));
  return rows.map(flatten);
}

export async function latestResolution(db: Executor, appointmentId: number): Promise<ResolutionRow | null> {
  const [row] = await db
    .select()
    .from(appointmentResolutions)
    .where(eq(appointmentResolutions.appointmentId, appointmentId))
    .orderBy(desc(appointmentResolutions.revision))
    .limit(1);
  return row ?? null;
}

export async function resolutionRevisions(db: Executor, appointmentId: number): Promise<ResolutionRow[]> {
  return db
    .select()
    .from(appointmentResolutions)
    .where(eq(appointmentResolutions.appointmentId, appointmentId))
    .orderBy(asc(appointmentResolutions.revision));
}

/** Resolutions are only ever inserted: a correction is the next revision. */
export async function insertResolution(tx: Executor, values: NewResolution): Promise<ResolutionRow> {
  const [row] = await tx.insert(appointmentResolutions).values(values).returning();
  if (!row) throw new Error('resolution insert returned no row');
  return row;
}

/** Keeps the latest revision and its emergency flag on the appointment (lists filter on them). */
export async function markResolved(
  tx: Executor,
  id: number,
  changes: { resolutionRevision: number; emergencyCare: boolean; resolvedAt: Date; updatedAt: Date },
): Promise<AppointmentRow> {
  const [row] = await tx.update(appointments).set(changes).where(eq(appointments.id, id)).returning();
  if (!row) throw new Error('appointment update returned no row');
  return row;
}
