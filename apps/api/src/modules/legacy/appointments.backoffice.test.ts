/**
 * The back-office gateway's queue administration and resolutions against the database: accept
 * and deny by placement (history and audit rows, 404 for a non-pending placement), the clear as a
 * day reset (placements restart at 0, appointments kept), queue settings, create_resolution
 * (stored fields, e-mail, state stays CREATED), and the role and audience refusals.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import {
  appointmentResolutions,
  appointments,
  auditEvents,
  queueRequests,
  queueRequestTransitions,
  queueSettings,
} from '../../db/schema/index.js';
import { createMemoryMailer } from '../notifications/mailer.js';
import backofficeAppointmentsRoutes from './backoffice.appointments.routes.js';
import gatewayAppointmentsRoutes from './gateway.appointments.routes.js';
import { buildLegacyApp } from './legacy.app.js';

let gw: FastifyInstance;
let bo: FastifyInstance;
const mailer = createMemoryMailer();
let adminId: number;
let adminAuth: { authorization: string };

type Auth = { authorization: string };
const FORM = {
  glucose_objective: 100,
  insulin_type: 'rapid',
  dose: 10,
  fast_insulin: 'Humalog',
  fixed_dose: 2,
  ratio: 12,
  sensitivity: 40,
  pump_type: 'none',
  control_data: '',
  motive: ['AJUSTE'],
  other_motive: '',
  another_treatment: '',
};
const resolutionForm = (appointmentId: number) => ({
  appointment_id: appointmentId,
  change_basal_type: 'Lantus',
  change_basal_dose: 14,
  change_basal_time: '22:00:00',
  change_fast_type: 'Humalog',
  change_ratio: 10,
  change_sensitivity: 45,
  emergency_care: true,
  needed_physical_appointment: true,
  glucose_scale: [
    [70, 130, 0],
    [131, 180, 2],
  ],
});

const api = useTestApp({ mailer });

beforeAll(async () => {
  gw = await buildLegacyApp(api.app, 'gateway', gatewayAppointmentsRoutes);
  bo = await buildLegacyApp(api.app, 'backoffice', backofficeAppointmentsRoutes);
  // The legacy `admin` account: every back-office role.
  const admin = await createStaff(api.db.db, { roles: ['admin', 'clinician', 'assistant'] });
  adminId = admin.id;
  adminAuth = await staffAuth(admin.id, ['admin', 'clinician', 'assistant']);
});
afterAll(async () => {
  await gw.close();
  await bo.close();
});
beforeEach(async () => {
  expect((await boCall('DELETE', '/appointments')).statusCode).toBe(204);
  expect((await boCall('POST', '/appointments/queue/open')).statusCode).toBe(200);
});

async function staffAuth(id: number, roles: ('admin' | 'clinician' | 'assistant')[]): Promise<Auth> {
  return { authorization: `Bearer ${await tokenFor(api.app, { kind: 'staff', id, roles })}` };
}

async function newPatient() {
  const p = await createPatient(api.db.db);
  const token = await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] });
  return { id: p.id, email: p.email, auth: { authorization: `Bearer ${token}` } };
}

const boCall = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, auth: Auth = adminAuth) =>
  bo.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
const submit = async (p: { auth: Auth }) => {
  const res = await gw.inject({ method: 'POST', url: '/appointments/submit', headers: p.auth });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as number;
};
const stateOf = async (p: { auth: Auth }) =>
  (await gw.inject({ method: 'GET', url: '/appointments/state', headers: p.auth })).json();
const entries = async (url: string) =>
  ((await boCall('GET', url)).json() as { queue_placement: number; user_id: number; appointment_state: string }[]).map(
    (e) => [e.queue_placement, e.user_id, e.appointment_state],
  );
const requestOf = async (patientId: number) =>
  (
    await api.db.db
      .select()
      .from(queueRequests)
      .where(eq(queueRequests.patientId, patientId))
      .orderBy(desc(queueRequests.id))
  )[0];
const lastAudit = async (action: string) =>
  (await api.db.db.select().from(auditEvents).where(eq(auditEvents.action, action)).orderBy(desc(auditEvents.id)))[0];

function expectDetail(res: LightMyRequestResponse, status: number, detail: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toEqual({ detail });
}

describe('back-office queue administration', () => {
  it('accept and deny by placement: 201 true, history rows by the staff member, the patients e-mailed', async () => {
    const [a, b, c] = [await newPatient(), await newPatient(), await newPatient()];
    expect([await submit(a), await submit(b), await submit(c)]).toEqual([0, 1, 2]);
    expect(await entries('/appointments/pending')).toEqual([
      [0, a.id, 'PENDING'],
      [1, b.id, 'PENDING'],
      [2, c.id, 'PENDING'],
    ]);
    const mails = mailer.messages.length;
    const accepted = await boCall('PUT', '/appointments/accept/0');
    expect([accepted.statusCode, accepted.body]).toEqual([201, 'true']);
    const denied = await boCall('PUT', '/appointments/deny/1');
    expect([denied.statusCode, denied.body]).toEqual([201, 'true']);

    const aRow = await requestOf(a.id);
    expect(aRow).toMatchObject({ state: 'accepted', decidedByStaffId: adminId });
    const history = await api.db.db
      .select()
      .from(queueRequestTransitions)
      .where(eq(queueRequestTransitions.requestId, aRow?.id as number))
      .orderBy(asc(queueRequestTransitions.id));
    expect(history.map((t) => [t.fromState, t.toState, t.actorStaffId])).toEqual([
      [null, 'pending', null],
      ['pending', 'accepted', adminId],
    ]);
    expect(await lastAudit('queue.requests.accept')).toMatchObject({
      outcome: 'success',
      actorId: adminId,
      patientId: a.id,
    });
    expect((await requestOf(b.id))?.state).toBe('denied');
    await mailer.flush();
    expect(mailer.messages.slice(mails).map((m) => m.to)).toEqual(expect.arrayContaining([a.email, b.email]));

    expect(await entries('/appointments/accepted')).toEqual([[0, a.id, 'ACCEPTED']]);
    expect(await entries('/appointments/queue')).toEqual([
      [0, a.id, 'ACCEPTED'],
      [1, b.id, 'DENIED'],
      [2, c.id, 'PENDING'],
    ]);
    expect(await lastAudit('queue.requests.list')).toMatchObject({ outcome: 'success', actorId: adminId });
  });

  it('a placement that is not pending (decided, or never handed out) is 404 and changes nothing', async () => {
    const a = await newPatient();
    expect(await submit(a)).toBe(0);
    expect((await boCall('PUT', '/appointments/accept/0')).statusCode).toBe(201);
    const before = await requestOf(a.id);
    expectDetail(await boCall('PUT', '/appointments/deny/0'), 404, 'Appointment does not exist in queue');
    expectDetail(await boCall('PUT', '/appointments/accept/0'), 404, 'Appointment does not exist in queue');
    expectDetail(await boCall('PUT', '/appointments/accept/7'), 404, 'Appointment does not exist in queue');
    expect(await requestOf(a.id)).toEqual(before);
    expect(await lastAudit('queue.requests.accept')).toMatchObject({
      outcome: 'failure',
      details: { reason: 'not_found', placement: 7 },
    });
    const bad = await boCall('PUT', '/appointments/accept/first');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(['path', 'queue_placement']);
  });

  it('DELETE /appointments ends the day: 204, everyone NONE, placements restart at 0, appointments kept', async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    expect([await submit(a), await submit(b)]).toEqual([0, 1]);
    expect((await boCall('PUT', '/appointments/accept/0')).statusCode).toBe(201);
    const made = await gw.inject({ method: 'POST', url: '/appointments/create', headers: a.auth, payload: FORM });
    expect(made.statusCode, made.body).toBe(201);
    const [before] = await api.db.db.select().from(queueSettings);

    const cleared = await boCall('DELETE', '/appointments');
    expect([cleared.statusCode, cleared.body]).toEqual([204, '']);
    const [after] = await api.db.db.select().from(queueSettings);
    expect(after).toMatchObject({ day: (before?.day as number) + 1, nextPlacement: 0 });
    for (const p of [a, b]) {
      expect(await requestOf(p.id)).toMatchObject({ state: 'closed', releasedAt: expect.any(Date) });
      expect(await stateOf(p)).toBe('NONE');
    }
    expect(await lastAudit('queue.reset')).toMatchObject({ outcome: 'success', actorRole: 'admin' });
    expect(await entries('/appointments/queue')).toEqual([]);
    expect(await api.db.db.select().from(appointments).where(eq(appointments.patientId, a.id))).toHaveLength(1);
    expect([await submit(b), await submit(a)]).toEqual([0, 1]);
  });

  it('size, open and close change the settings row (audited); opening does not empty the queue', async () => {
    const a = await newPatient();
    expect(await submit(a)).toBe(0);
    expect((await boCall('POST', '/appointments/queue/size?new_size=3')).json()).toBe(3);
    expect((await boCall('GET', '/appointments/queue/size')).body).toBe('3');
    expect((await boCall('POST', '/appointments/queue/close')).json()).toBe(false);
    expect((await boCall('GET', '/appointments/queue/open')).body).toBe('false');
    expect((await api.db.db.select().from(queueSettings))[0]).toMatchObject({ open: false, capacity: 3 });
    expect((await boCall('POST', '/appointments/queue/open')).json()).toBe(true);
    expect(await entries('/appointments/pending')).toEqual([[0, a.id, 'PENDING']]);
    expect(await lastAudit('queue.update')).toMatchObject({ outcome: 'success', details: { changed: ['open'] } });
    for (const bad of ['-1', '10001', 'many']) {
      expect((await boCall('POST', `/appointments/queue/size?new_size=${bad}`)).statusCode).toBe(422);
    }
    expect((await boCall('POST', '/appointments/queue/size')).statusCode).toBe(422);
    expect((await api.db.db.select().from(queueSettings))[0]?.capacity).toBe(3);
    expect((await boCall('POST', '/appointments/queue/size?new_size=15')).statusCode).toBe(200);
  });
});

describe('back-office appointments and resolutions', () => {
  it('create_resolution stores the mapped fields, e-mails the patient, and the state stays CREATED', async () => {
    const p = await newPatient();
    expect((await boCall('GET', `/appointments/from_user/latest/${p.id}`)).json()).toEqual({
      detail: 'Appointment does not exist',
    });
    expect((await boCall('GET', `/appointments/from_user/${p.id}`)).json()).toEqual([]);
    await submit(p);
    expect((await boCall('PUT', '/appointments/accept/0')).statusCode).toBe(201);
    const made = (
      await gw.inject({ method: 'POST', url: '/appointments/create', headers: p.auth, payload: FORM })
    ).json();
    expect((await boCall('GET', `/appointments/from_user/${p.id}`)).json()).toEqual([made]);
    expect((await boCall('GET', `/appointments/from_user/latest/${p.id}`)).json()).toEqual(made);
    expectDetail(await boCall('GET', `/appointments/${made.appointment_id}/resolution`), 404, 'Resolution not found');

    const mails = mailer.messages.length;
    const res = await boCall('POST', '/appointments/create_resolution', resolutionForm(made.appointment_id));
    expect(res.statusCode, res.body).toBe(201);
    const { glucose_scale, ...rest } = resolutionForm(made.appointment_id);
    expect(res.json()).toEqual({ ...rest, change_basal_time: '22:00', glucose_scale });
    const [stored] = await api.db.db
      .select()
      .from(appointmentResolutions)
      .where(eq(appointmentResolutions.appointmentId, made.appointment_id));
    expect(stored).toMatchObject({
      revision: 1,
      authorStaffId: adminId,
      changeBasalDoseUnits: 14,
      changeBasalTime: '22:00',
      changeRatioGramsPerUnit: 10,
      changeSensitivityMgDlPerUnit: 45,
      emergencyCare: true,
      inPersonVisitNeeded: true,
      glucoseScale: glucose_scale,
    });
    await mailer.flush();
    expect(mailer.messages.slice(mails).map((m) => m.to)).toEqual([p.email]);
    expect((await requestOf(p.id))?.state).toBe('resolved');
    expect(await stateOf(p)).toBe('CREATED');
    expect(await entries('/appointments/created')).toEqual([[0, p.id, 'CREATED']]);
    expect((await boCall('GET', `/appointments/${made.appointment_id}/resolution`)).json()).toEqual(res.json());

    // The old table's key refused a second one; nothing is overwritten.
    expectDetail(
      await boCall('POST', '/appointments/create_resolution', resolutionForm(made.appointment_id)),
      409,
      'Resolution already exists for this appointment',
    );
    expectDetail(
      await boCall('POST', '/appointments/create_resolution', resolutionForm(99999999)),
      404,
      'Appointment not found',
    );
    const revisions = await api.db.db
      .select()
      .from(appointmentResolutions)
      .where(eq(appointmentResolutions.appointmentId, made.appointment_id));
    expect(revisions).toHaveLength(1);
  });

  it('an invalid resolution is a 422 list and stores nothing', async () => {
    const p = await newPatient();
    await submit(p);
    expect((await boCall('PUT', '/appointments/accept/0')).statusCode).toBe(201);
    const made = (
      await gw.inject({ method: 'POST', url: '/appointments/create', headers: p.auth, payload: FORM })
    ).json();
    const { emergency_care: _, ...missing } = resolutionForm(made.appointment_id);
    for (const bad of [
      missing,
      { ...resolutionForm(made.appointment_id), change_basal_time: '25:00' },
      { ...resolutionForm(made.appointment_id), glucose_scale: { bajo: 70 } },
    ]) {
      const res = await boCall('POST', '/appointments/create_resolution', bad);
      expect(res.statusCode, res.body).toBe(422);
      expect(Array.isArray(res.json().detail)).toBe(true);
    }
    expect(
      await api.db.db
        .select()
        .from(appointmentResolutions)
        .where(eq(appointmentResolutions.appointmentId, made.appointment_id)),
    ).toEqual([]);
  });
});

describe('back-office access', () => {
  it('a patient token is 401 on every back-office appointment route', async () => {
    const p = await newPatient();
    const routes = [
      ['GET', '/appointments/pending'],
      ['GET', '/appointments/queue'],
      ['GET', '/appointments/queue/size'],
      ['POST', '/appointments/queue/open'],
      ['PUT', '/appointments/accept/0'],
      ['DELETE', '/appointments'],
      ['GET', `/appointments/from_user/${p.id}`],
      ['POST', '/appointments/create_resolution'],
      ['GET', '/appointments/1/resolution'],
    ] as const;
    for (const [method, url] of routes) {
      const res = await boCall(method, url, undefined, p.auth);
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('roles follow /v1: an assistant decides but cannot resolve or clear; a clinician cannot change the queue', async () => {
    const a = await newPatient();
    await submit(a);
    const assistant = await createStaff(api.db.db, { roles: ['assistant'] });
    const clinician = await createStaff(api.db.db, { roles: ['clinician'] });
    const asAssistant = await staffAuth(assistant.id, ['assistant']);
    const asClinician = await staffAuth(clinician.id, ['clinician']);
    expect((await boCall('PUT', '/appointments/accept/0', undefined, asAssistant)).statusCode).toBe(201);
    expect((await boCall('DELETE', '/appointments', undefined, asAssistant)).statusCode).toBe(403);
    expect((await boCall('POST', '/appointments/create_resolution', resolutionForm(1), asAssistant)).statusCode).toBe(
      403,
    );
    expect((await boCall('POST', '/appointments/queue/close', undefined, asClinician)).statusCode).toBe(403);
    expect((await api.db.db.select().from(queueSettings))[0]?.open).toBe(true);
    expect(await entries('/appointments/accepted')).toEqual([[0, a.id, 'ACCEPTED']]);
    const [byAssistant] = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'queue.requests.accept'), eq(auditEvents.actorId, assistant.id)));
    expect(byAssistant).toMatchObject({ actorRole: 'assistant', outcome: 'success' });
  });
});
