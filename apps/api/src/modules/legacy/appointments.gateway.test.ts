/**
 * The patient gateway's queue and appointment routes against the database: what each legacy call
 * stores (requests, transitions, appointments, audit rows), the refusals that must write nothing,
 * the decided 500 on a concurrent double submit, and another patient's resolution answering 404.
 * Wire shapes alone are the contract suite's (apps/api/test/legacy).
 */
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { transitionsInOrder } from '../../../test/fixtures/queue.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { appointments, auditEvents, queueRequests } from '../../db/schema/index.js';
import { createMemoryMailer } from '../notifications/mailer.js';
import backofficeAppointmentsRoutes from './backoffice.appointments.routes.js';
import gatewayAppointmentsRoutes from './gateway.appointments.routes.js';
import { buildLegacyApp } from './legacy.app.js';

let gw: FastifyInstance;
let bo: FastifyInstance;
let staffAuth: { authorization: string };

const FORM = {
  glucose_objective: 110,
  insulin_type: 'slow',
  dose: 18,
  fast_insulin: 'Novorapid',
  fixed_dose: 0,
  ratio: 15,
  sensitivity: 50,
  pump_type: 'pen',
  control_data: '',
  motive: ['HIPOGLUCEMIA'],
  other_motive: '',
  another_treatment: '',
};

const api = useTestApp({ mailer: createMemoryMailer() });

beforeAll(async () => {
  gw = await buildLegacyApp(api.app, 'gateway', gatewayAppointmentsRoutes);
  bo = await buildLegacyApp(api.app, 'backoffice', backofficeAppointmentsRoutes);
  const admin = await createStaff(api.db.db, { roles: ['admin', 'clinician', 'assistant'] });
  staffAuth = await bearer({ kind: 'staff', id: admin.id, roles: ['admin', 'clinician', 'assistant'] });
});
afterAll(async () => {
  await gw.close();
  await bo.close();
});
beforeEach(async () => {
  // Each test starts a fresh queue day, open, with room.
  expect((await bo.inject({ method: 'DELETE', url: '/appointments', headers: staffAuth })).statusCode).toBe(204);
  await setQueue({ open: true, size: 15 });
});

/** Through the back-office routes, so the services' cached "full"/"closed" verdicts are dropped. */
async function setQueue({ open, size }: { open?: boolean; size?: number }) {
  if (open !== undefined) {
    const url = `/appointments/queue/${open ? 'open' : 'close'}`;
    expect((await bo.inject({ method: 'POST', url, headers: staffAuth })).json()).toBe(open);
  }
  if (size !== undefined) {
    const url = `/appointments/queue/size?new_size=${size}`;
    expect((await bo.inject({ method: 'POST', url, headers: staffAuth })).json()).toBe(size);
  }
}

async function bearer(who: Parameters<typeof tokenFor>[1]) {
  return { authorization: `Bearer ${await tokenFor(api.app, who)}` };
}

async function newPatient() {
  const p = await createPatient(api.db.db);
  return { id: p.id, auth: await bearer({ kind: 'patient', id: p.id, roles: ['patient'] }) };
}

type Who = { auth: { authorization: string } };
const get = (who: Who, url: string) => gw.inject({ method: 'GET', url, headers: who.auth });
const submit = (who: Who) =>
  gw.inject({
    method: 'POST',
    url: '/appointments/submit',
    headers: { ...who.auth, 'content-type': 'application/json' },
  });
const create = (who: Who, form: object = FORM) =>
  gw.inject({ method: 'POST', url: '/appointments/create', headers: who.auth, payload: form });
const accept = (placement: number) =>
  bo.inject({ method: 'PUT', url: `/appointments/accept/${placement}`, headers: staffAuth });

const currentRequests = (patientId: number) =>
  api.db.db.select().from(queueRequests).where(eq(queueRequests.patientId, patientId)).orderBy(asc(queueRequests.id));
const transitionsOf = (requestId: number) => transitionsInOrder(api.db, requestId);

function expectDetail(res: LightMyRequestResponse, status: number, detail: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toEqual({ detail });
}

describe('gateway queue routes', () => {
  it('a patient without a request: bare "NONE", -1, true and an empty array', async () => {
    const p = await newPatient();
    expect((await get(p, '/appointments/state')).body).toBe('"NONE"');
    expect((await get(p, '/appointments/placement')).body).toBe('-1');
    expect((await get(p, '/appointments/queue/open')).body).toBe('true');
    expect((await get(p, '/appointments/mine')).json()).toEqual([]);
  });

  it('submit stores a pending request with placement 0, its history row and a success audit row', async () => {
    const p = await newPatient();
    const res = await submit(p);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).toBe('0');
    const [row] = await currentRequests(p.id);
    expect(row).toMatchObject({ state: 'pending', placement: 0, releasedAt: null, motive: [] });
    const history = await transitionsOf(row?.id as number);
    expect(history.map((t) => [t.fromState, t.toState, t.actorRole, t.actorPatientId])).toEqual([
      [null, 'pending', 'patient', p.id],
    ]);
    const [audit] = await api.auditWhere({ patientId: p.id, action: 'queue.requests.submit' }, 'newest first');
    expect(audit).toMatchObject({ outcome: 'success', actorRole: 'patient', resourceId: String(row?.id) });
    expect((await get(p, '/appointments/state')).json()).toBe('PENDING');
    expect((await get(p, '/appointments/placement')).json()).toBe(0);
  });

  it('a concurrent double submit: one 201, one 500 "already exists", one stored request', async () => {
    const p = await newPatient();
    const replies = await Promise.all([submit(p), submit(p)]);
    const statuses = replies.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 500]);
    const refused = replies.find((r) => r.statusCode === 500) as LightMyRequestResponse;
    expect(refused.json()).toEqual({ detail: 'Appointment already exists in queue' });
    expect(await currentRequests(p.id)).toHaveLength(1);
    const audits = await api.auditWhere({ patientId: p.id, action: 'queue.requests.submit' }, 'newest first');
    expect(audits.map((a) => [a.outcome, (a.details as { reason?: string }).reason ?? null]).sort()).toEqual([
      ['failure', 'request_active'],
      ['success', null],
    ]);
  });

  it('a re-submit while the queue is full is still the 500 "already exists", even right after a "full" answer', async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    await setQueue({ size: 1 });
    expect((await submit(a)).statusCode).toBe(201);
    // b's refusal makes the queue service reuse "full" for a moment; a must still hear "already exists".
    expectDetail(await submit(b), 409, 'Appointment Queue Full');
    expectDetail(await submit(a), 500, 'Appointment already exists in queue');
    await setQueue({ open: false });
    expectDetail(await submit(b), 409, 'Appointment Queue is not open');
    expectDetail(await submit(a), 500, 'Appointment already exists in queue');
    expect(await currentRequests(a.id)).toHaveLength(1);
  });

  it('closed and full queues refuse with 409 and the app texts, writing no request', async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    await setQueue({ open: false });
    expect((await get(a, '/appointments/queue/open')).body).toBe('false');
    expectDetail(await submit(a), 409, 'Appointment Queue is not open');
    await setQueue({ open: true, size: 1 });
    expect((await submit(a)).statusCode).toBe(201);
    expectDetail(await submit(b), 409, 'Appointment Queue Full');
    expect(await currentRequests(b.id)).toEqual([]);
    expect((await get(b, '/appointments/state')).json()).toBe('NONE');
  });
});

describe('gateway appointment form', () => {
  it('before acceptance: 409 "Appointment wasn\'t accepted yet", audited, nothing stored', async () => {
    const p = await newPatient();
    expect((await submit(p)).statusCode).toBe(201);
    expectDetail(await create(p), 409, "Appointment wasn't accepted yet");
    expect(await api.db.db.select().from(appointments).where(eq(appointments.patientId, p.id))).toEqual([]);
    const [audit] = await api.auditWhere({ patientId: p.id, action: 'appointments.create' }, 'newest first');
    expect(audit).toMatchObject({ outcome: 'failure', details: { reason: 'request_not_accepted' } });
  });

  it('invalid forms are FastAPI 422 lists and leave the request ACCEPTED with no appointment', async () => {
    const p = await newPatient();
    const placement = (await submit(p)).json() as number;
    expect((await accept(placement)).statusCode).toBe(201);
    for (const bad of [
      { ...FORM, motive: [] },
      { ...FORM, motive: ['CANSANCIO'] },
      { ...FORM, glucose_objective: 'cien' },
      { ...FORM, dose: 0 },
    ]) {
      const res = await create(p, bad);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().detail[0].loc[0]).toBe('body');
    }
    // OTRO needs its text: the domain's rule, rendered in the same 422 list form.
    const other = await create(p, { ...FORM, motive: ['OTRO'], other_motive: '' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toEqual({
      detail: [
        { loc: ['body', 'other_motive'], msg: 'is required when the motive includes OTRO', type: 'value_error' },
      ],
    });
    expect(await api.db.db.select().from(appointments).where(eq(appointments.patientId, p.id))).toEqual([]);
    expect((await get(p, '/appointments/state')).json()).toBe('ACCEPTED');
  });

  it('after acceptance: 201 with the appointment, stored with domain units, request CREATED', async () => {
    const p = await newPatient();
    const placement = (await submit(p)).json() as number;
    expect((await accept(placement)).statusCode).toBe(201);
    const sent = { ...FORM, motive: ['OTRO', 'DUDAS'], other_motive: 'viaje', another_treatment: null };
    const res = await create(p, sent);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    // The answer echoes every field of the form as sent (FORM's values), plus the two ids.
    expect(body).toEqual({ appointment_id: expect.any(Number), user_id: p.id, ...sent });
    const [stored] = await api.db.db.select().from(appointments).where(eq(appointments.id, body.appointment_id));
    expect(stored).toMatchObject({
      patientId: p.id,
      glucoseObjectiveMgDl: 110,
      doseUnits: 18,
      fixedDoseUnits: 0,
      ratioGramsPerUnit: 15,
      sensitivityMgDlPerUnit: 50,
      controlData: null,
      anotherTreatment: null,
      otherMotive: 'viaje',
    });
    const [request] = await currentRequests(p.id);
    expect(request?.state).toBe('created');
    expect((await transitionsOf(request?.id as number)).map((t) => t.toState)).toEqual([
      'pending',
      'accepted',
      'created',
    ]);
    expect((await get(p, '/appointments/state')).json()).toBe('CREATED');
    expect((await get(p, '/appointments/placement')).json()).toBe(-1);
    expect((await get(p, '/appointments/mine')).json()).toEqual([body]);
    const [listed] = await api.auditWhere({ patientId: p.id, action: 'appointments.list' }, 'newest first');
    expect(listed).toMatchObject({ outcome: 'success', details: { appointmentIds: [body.appointment_id] } });
  });
});

describe('gateway resolutions', () => {
  it("another patient's resolution is 404 like an unknown one, and audited as denied", async () => {
    const [owner, other] = [await newPatient(), await newPatient()];
    const placement = (await submit(owner)).json() as number;
    expect((await accept(placement)).statusCode).toBe(201);
    const id = (await create(owner)).json().appointment_id as number;
    const resolved = await bo.inject({
      method: 'POST',
      url: '/appointments/create_resolution',
      headers: staffAuth,
      payload: {
        appointment_id: id,
        change_basal_type: 'Lantus',
        change_basal_dose: 16,
        change_basal_time: '21:30',
        change_fast_type: '',
        change_ratio: 12,
        change_sensitivity: 40,
        emergency_care: false,
        needed_physical_appointment: false,
      },
    });
    expect(resolved.statusCode, resolved.body).toBe(201);

    const own = await get(owner, `/appointments/${id}/resolution`);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ appointment_id: id, change_basal_time: '21:30', change_fast_type: '' });
    expectDetail(await get(other, `/appointments/${id}/resolution`), 404, 'Resolution not found');
    expectDetail(await get(other, '/appointments/99999999/resolution'), 404, 'Resolution not found');
    const [denied] = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'appointments.resolution.read'), eq(auditEvents.actorId, other.id)))
      .orderBy(asc(auditEvents.id));
    expect(denied).toMatchObject({ outcome: 'denied', patientId: owner.id, details: { reason: 'not_permitted' } });
  });

  it('refuses staff tokens and missing tokens with 401 before validating the body', async () => {
    const noToken = await gw.inject({ method: 'POST', url: '/appointments/create', payload: {} });
    expectDetail(noToken, 401, 'Not authenticated');
    expect(noToken.headers['www-authenticate']).toBe('Bearer');
    const staff = await gw.inject({ method: 'GET', url: '/appointments/state', headers: staffAuth });
    expect(staff.statusCode).toBe(401);
  });
});
