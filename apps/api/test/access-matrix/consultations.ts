/**
 * Access-matrix rows for the consultation queue, appointments and clinical notes (see kit.ts), and
 * the fixtures that drive a request into a given state through the API (the module's tests use
 * them too). Cells that change a record prepare a fresh one per actor.
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { DbHandle } from '../../src/db/client.js';
import { createPatient } from '../factories.js';
import { headersFor, type StaffRole } from '../use-test-app.js';
import { type Actor, anyAuthenticated, ownOrStaff, type Rows, row, staffOnly, type World } from './kit.js';

export type FixtureState = 'pending' | 'accepted' | 'denied' | 'created' | 'resolved' | 'cancelled' | 'closed';

/** Valid treatment details (POST /v1/appointments). */
export const DETAILS = {
  glucoseObjective: 110,
  insulinType: 'slow',
  dose: 18,
  fastInsulin: 'Humalog',
  fixedDose: 4,
  ratio: 12,
  sensitivity: 40,
  pumpType: 'none',
  controlData: '',
  motive: ['AJUSTE'],
};

/** A valid first resolution (POST /v1/appointments/:id/resolution). */
export const RESOLUTION = {
  changeBasalType: 'Lantus',
  changeBasalDose: 20,
  changeBasalTime: '22:00',
  emergencyCare: false,
  inPersonVisitNeeded: false,
  notes: 'Subir basal 2 unidades.',
};

/** A token for a real staff member holding `role` (one per app and role). */
export async function staffToken(app: FastifyInstance, _db: DbHandle, role: StaffRole) {
  return headersFor(app, role);
}

export async function patientToken(app: FastifyInstance, patientId: number) {
  return headersFor(app, patientId);
}

/**
 * Opens the queue with room to spare (the matrix and fixtures must not hit the capacity). Through
 * the API, so the instance's cached "full/closed" answer is invalidated like in production.
 */
export async function openQueue(app: FastifyInstance, db: DbHandle, capacity = 10_000): Promise<void> {
  const res = await app.inject({
    method: 'PATCH',
    url: '/v1/queue',
    headers: await staffToken(app, db, 'admin'),
    payload: { open: true, capacity },
  });
  if (res.statusCode !== 200) throw new Error(`open queue: ${res.statusCode} ${res.body}`);
}

/** Releases a patient's current request, as a day reset would, so they may submit again. */
export async function releaseCurrent(db: DbHandle, patientId: number): Promise<void> {
  await db.db.execute(sql`update queue_requests
    set state = case when state in ('pending', 'accepted', 'created') then 'closed' else state end,
        released_at = now()
    where patient_id = ${patientId} and released_at is null`);
}

async function ok(res: { statusCode: number; body: string; json(): unknown }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res.json() as Record<string, unknown>;
}

export interface Fixture {
  patientId: number;
  requestId: number;
  appointmentId: number | null;
}

/**
 * Drives a request into `state` through the API, for `patientId` (default: a new patient, whose
 * current request is released first when given).
 */
export async function requestIn(
  app: FastifyInstance,
  db: DbHandle,
  state: FixtureState,
  patientId?: number,
): Promise<Fixture> {
  await openQueue(app, db);
  const pid = patientId ?? (await createPatient(db.db, { password: null })).id;
  if (patientId !== undefined) await releaseCurrent(db, pid);
  const me = await patientToken(app, pid);
  const inject = (method: 'POST', url: string, headers: Record<string, string>, payload?: object) =>
    app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const submitted = await ok(await inject('POST', '/v1/queue/requests', me, {}), 201, 'submit');
  const requestId = submitted.id as number;
  let appointmentId: number | null = null;
  const clinician = await staffToken(app, db, 'clinician');
  if (state === 'cancelled')
    await ok(await inject('POST', `/v1/queue/requests/${requestId}/cancel`, me), 200, 'cancel');
  if (state === 'denied')
    await ok(await inject('POST', `/v1/queue/requests/${requestId}/deny`, clinician), 200, 'deny');
  if (['accepted', 'created', 'resolved', 'closed'].includes(state)) {
    await ok(await inject('POST', `/v1/queue/requests/${requestId}/accept`, clinician), 200, 'accept');
  }
  if (['created', 'resolved', 'closed'].includes(state)) {
    appointmentId = (await ok(await inject('POST', '/v1/appointments', me, DETAILS), 201, 'details')).id as number;
  }
  if (state === 'resolved') {
    await ok(
      await inject('POST', `/v1/appointments/${appointmentId}/resolution`, clinician, RESOLUTION),
      201,
      'resolve',
    );
  }
  // Closed by a day reset; done in SQL so one fixture does not end everyone else's day.
  if (state === 'closed') await releaseCurrent(db, pid);
  return { patientId: pid, requestId, appointmentId };
}

const staffOr401 = (status: Record<'patientA' | 'patientB', number>) =>
  ({ anonymous: 401, ...status, deviceA: 401, assistant: 401, clinician: 401, admin: 401 }) as Record<Actor, number>;

/** Patient A's current request (a fresh pending one unless they already have one). */
async function currentOfA(w: World): Promise<number> {
  const found = await w.db.db.execute(
    sql`select id from queue_requests where patient_id = ${w.patientA} and released_at is null`,
  );
  const rows = (found as unknown as { rows: { id: string | number }[] }).rows;
  if (rows[0]) return Number(rows[0].id);
  return (await requestIn(w.app, w.db, 'pending', w.patientA)).requestId;
}

const resolvedOfA = new WeakMap<FastifyInstance, number>();
async function resolvedAppointmentOfA(w: World): Promise<number> {
  const known = resolvedOfA.get(w.app);
  if (known) return known;
  const made = await requestIn(w.app, w.db, 'resolved', w.patientA);
  resolvedOfA.set(w.app, made.appointmentId as number);
  return made.appointmentId as number;
}

const fresh = async (w: World, state: FixtureState) => requestIn(w.app, w.db, state);

export const consultationsRows: Rows = {
  'GET /v1/queue': { url: () => '/v1/queue', expect: anyAuthenticated(200) },
  'PATCH /v1/queue': {
    url: () => '/v1/queue',
    body: () => ({ open: true, capacity: 10_000 }),
    expect: row(401, 401, 401, 200, 403, 200),
  },
  'POST /v1/queue/reset': { url: () => '/v1/queue/reset', expect: row(401, 401, 401, 403, 403, 200) },
  'POST /v1/queue/requests': {
    url: async (w, actor) => {
      await openQueue(w.app, w.db);
      if (actor === 'patientA' || actor === 'patientB') await releaseCurrent(w.db, w[actor]);
      return '/v1/queue/requests';
    },
    body: () => ({ motive: ['DUDAS'], note: 'Consulta por dosis' }),
    expect: staffOr401({ patientA: 201, patientB: 201 }),
  },
  'GET /v1/queue/requests': { url: () => '/v1/queue/requests?day=all&perPage=5', expect: staffOnly(200) },
  'GET /v1/queue/requests/:id': {
    url: async (w) => `/v1/queue/requests/${await currentOfA(w)}`,
    expect: ownOrStaff(200),
  },
  'GET /v1/queue/requests/:id/history': {
    url: async (w) => `/v1/queue/requests/${await currentOfA(w)}/history`,
    expect: ownOrStaff(200),
  },
  'POST /v1/queue/requests/:id/accept': {
    url: async (w) => `/v1/queue/requests/${(await fresh(w, 'pending')).requestId}/accept`,
    expect: row(401, 401, 401, 200, 200, 403),
  },
  'POST /v1/queue/requests/:id/deny': {
    url: async (w) => `/v1/queue/requests/${(await fresh(w, 'pending')).requestId}/deny`,
    body: () => ({ reason: 'Agenda completa' }),
    expect: row(401, 401, 401, 200, 200, 403),
  },
  // Patient A's own pending request each time; B is told it does not exist.
  'POST /v1/queue/requests/:id/cancel': {
    url: async (w) => `/v1/queue/requests/${(await requestIn(w.app, w.db, 'pending', w.patientA)).requestId}/cancel`,
    expect: staffOr401({ patientA: 200, patientB: 404 }),
  },
  'GET /v1/me/queue': { url: () => '/v1/me/queue', expect: staffOr401({ patientA: 200, patientB: 200 }) },
  // A has an accepted request; B has none (409 request_not_accepted).
  'POST /v1/appointments': {
    url: async (w, actor) => {
      if (actor === 'patientA') await requestIn(w.app, w.db, 'accepted', w.patientA);
      if (actor === 'patientB') await releaseCurrent(w.db, w.patientB);
      return '/v1/appointments';
    },
    body: () => DETAILS,
    expect: staffOr401({ patientA: 201, patientB: 409 }),
  },
  'GET /v1/appointments': { url: () => '/v1/appointments?perPage=5', expect: anyAuthenticated(200) },
  'GET /v1/appointments/:id': {
    url: async (w) => `/v1/appointments/${await resolvedAppointmentOfA(w)}`,
    expect: ownOrStaff(200),
  },
  'POST /v1/appointments/:id/resolution': {
    url: async (w) => `/v1/appointments/${(await fresh(w, 'created')).appointmentId}/resolution`,
    body: () => RESOLUTION,
    expect: row(401, 401, 401, 403, 201, 403),
  },
  'GET /v1/appointments/:id/resolution': {
    url: async (w) => `/v1/appointments/${await resolvedAppointmentOfA(w)}/resolution`,
    expect: ownOrStaff(200),
  },
  'GET /v1/appointments/:id/resolution/revisions': {
    url: async (w) => `/v1/appointments/${await resolvedAppointmentOfA(w)}/resolution/revisions`,
    expect: ownOrStaff(200),
  },
  'GET /v1/patients/:id/notes': { url: (w) => `/v1/patients/${w.patientA}/notes`, expect: staffOnly(200) },
  'POST /v1/patients/:id/notes': {
    url: (w) => `/v1/patients/${w.patientA}/notes`,
    body: () => ({ text: 'Control en 3 meses.' }),
    expect: row(401, 401, 401, 403, 201, 403),
  },
  'POST /v1/patients/:id/notes/:noteId/amendments': {
    url: async (w) => {
      const res = await w.app.inject({
        method: 'POST',
        url: `/v1/patients/${w.patientA}/notes`,
        headers: await staffToken(w.app, w.db, 'clinician'),
        payload: { text: 'Nota a enmendar.' },
      });
      return `/v1/patients/${w.patientA}/notes/${(await ok(res, 201, 'note')).id}/amendments`;
    },
    body: () => ({ text: 'Corrección: control en 2 meses.', reason: 'error de tipeo' }),
    expect: row(401, 401, 401, 403, 201, 403),
  },
};
