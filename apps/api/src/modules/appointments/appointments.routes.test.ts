/**
 * Appointments and resolutions over HTTP: range-checked treatment details, who reaches which
 * appointment (another patient's is 404, audited), list filters, and immutable resolutions whose
 * corrections are revisions.
 */
import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAILS, patientToken, RESOLUTION, requestIn, staffToken } from '../../../test/access-matrix/consultations.js';
import { buildTestApp, createTestDb } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import type { DbHandle } from '../../db/client.js';
import { appointmentResolutions, appointments, auditEvents } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';

let db: DbHandle;
let app: FastifyInstance;
const clock = new ManualClock('2026-03-10T13:00:00.000Z');

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp({ db, clock });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

type Who = 'admin' | 'assistant' | 'clinician' | number;
async function call(method: 'GET' | 'POST', url: string, who: Who, payload?: object) {
  const headers = typeof who === 'number' ? await patientToken(app, who) : await staffToken(app, db, who);
  return app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}
const auditOf = (res: LightMyRequestResponse) =>
  db.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])));

describe('treatment details', () => {
  it('an accepted patient sends them: stored in units, the request becomes created, audited without values', async () => {
    const f = await requestIn(app, db, 'accepted');
    const res = await call('POST', '/v1/appointments', f.patientId, {
      ...DETAILS,
      motive: ['AJUSTE', 'OTRO'],
      otherMotive: 'viaje',
      anotherTreatment: '',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      requestId: f.requestId,
      patient: { id: f.patientId },
      state: 'awaiting_resolution',
      requestState: 'created',
      glucoseObjective: 110,
      dose: 18,
      ratio: 12,
      sensitivity: 40,
      controlData: null,
      anotherTreatment: null,
      otherMotive: 'viaje',
      resolutionRevision: null,
    });
    const [row] = await db.db.select().from(appointments).where(eq(appointments.id, res.json().id));
    expect(row).toMatchObject({
      doseUnits: 18,
      ratioGramsPerUnit: 12,
      sensitivityMgDlPerUnit: 40,
      patientId: f.patientId,
    });
    const [audit] = await auditOf(res);
    expect(audit).toMatchObject({ action: 'appointments.create', patientId: f.patientId, outcome: 'success' });
    expect(JSON.stringify(audit?.details)).not.toMatch(/viaje|Humalog|110/);
    expect((await call('GET', '/v1/me/queue', f.patientId)).json()).toMatchObject({
      state: 'created',
      appointmentId: res.json().id,
    });
  });

  it.each([
    ['glucoseObjective', { glucoseObjective: 39 }],
    ['glucoseObjective', { glucoseObjective: 401 }],
    ['glucoseObjective', { glucoseObjective: '110' }],
    ['dose', { dose: 0 }],
    ['dose', { dose: 301 }],
    ['fixedDose', { fixedDose: -1 }],
    ['ratio', { ratio: 0 }],
    ['ratio', { ratio: 151 }],
    ['sensitivity', { sensitivity: 501 }],
    ['insulinType', { insulinType: '' }],
    ['pumpType', { pumpType: 'a'.repeat(51) }],
    ['motive', { motive: [] }],
    ['motive', { motive: ['NADA'] }],
    ['otherMotive', { motive: ['OTRO'] }],
    ['patientId', { patientId: 1 }],
  ])('400 naming %s (%j); the request stays accepted', async (field, patch) => {
    const f = await requestIn(app, db, 'accepted');
    const res = await call('POST', '/v1/appointments', f.patientId, { ...DETAILS, ...patch });
    expect(res.statusCode, res.body).toBe(400);
    expect(Object.keys(res.json().errors).join()).toContain(`body.${field}`);
    expect((await call('GET', '/v1/me/queue', f.patientId)).json().state).toBe('accepted');
  });
});

describe('who reaches an appointment', () => {
  it("a patient reads their own; another patient's is 404 like a missing one, and the refusal is audited", async () => {
    const f = await requestIn(app, db, 'created');
    const other = (await createPatient(db.db, { password: null })).id;
    expect((await call('GET', `/v1/appointments/${f.appointmentId}`, f.patientId)).statusCode).toBe(200);
    const denied = await call('GET', `/v1/appointments/${f.appointmentId}`, other);
    const missing = await call('GET', '/v1/appointments/987654', other);
    expect(denied.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(denied.json().detail).toBe(missing.json().detail);
    expect((await auditOf(denied))[0]).toMatchObject({
      action: 'appointments.read',
      outcome: 'denied',
      patientId: f.patientId,
      actorId: other,
    });
    for (const url of [
      `/v1/appointments/${f.appointmentId}/resolution`,
      `/v1/appointments/${f.appointmentId}/resolution/revisions`,
    ]) {
      expect((await call('GET', url, other)).statusCode, url).toBe(404);
    }
  });

  it("a patient's list holds only their own; naming another patient is 404", async () => {
    const mine = await requestIn(app, db, 'created');
    await requestIn(app, db, 'created');
    const own = await call('GET', '/v1/appointments', mine.patientId);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ total: 1, data: [{ id: mine.appointmentId }] });
    const theirs = await call('GET', `/v1/appointments?patientId=${mine.patientId + 1}`, mine.patientId);
    expect(theirs.statusCode).toBe(404);
  });

  it('every staff read is audited with the patient id', async () => {
    const f = await requestIn(app, db, 'resolved');
    for (const url of [
      `/v1/appointments/${f.appointmentId}`,
      `/v1/appointments/${f.appointmentId}/resolution`,
      `/v1/appointments?patientId=${f.patientId}`,
    ]) {
      const res = await call('GET', url, 'assistant');
      expect(res.statusCode, url).toBe(200);
      expect((await auditOf(res))[0], url).toMatchObject({
        patientId: f.patientId,
        outcome: 'success',
        actorRole: 'assistant',
      });
    }
  });
});

describe('appointment lists', () => {
  it('filter by patient, state, emergency care and creation time; emergencies come first', async () => {
    const p = (await createPatient(db.db, { password: null })).id;
    const first = await requestIn(app, db, 'created', p);
    await call('POST', `/v1/appointments/${first.appointmentId}/resolution`, 'clinician', {
      ...RESOLUTION,
      emergencyCare: true,
    });
    clock.advance(86_400_000);
    const second = await requestIn(app, db, 'created', p);
    const list = async (q: string) => (await call('GET', `/v1/appointments?patientId=${p}&${q}`, 'clinician')).json();

    expect((await list('')).data.map((a: { id: number }) => a.id)).toEqual([first.appointmentId, second.appointmentId]);
    expect((await list('state=awaiting_resolution')).data.map((a: { id: number }) => a.id)).toEqual([
      second.appointmentId,
    ]);
    expect((await list('state=resolved')).data).toMatchObject([
      { id: first.appointmentId, emergencyCare: true, resolutionRevision: 1 },
    ]);
    expect((await list('emergencyCare=true')).total).toBe(1);
    const since = encodeURIComponent(new Date(clock.now().getTime() - 3_600_000).toISOString());
    expect((await list(`from=${since}`)).data.map((a: { id: number }) => a.id)).toEqual([second.appointmentId]);
    expect((await list(`to=${since}`)).data.map((a: { id: number }) => a.id)).toEqual([first.appointmentId]);
    expect((await list('perPage=1&page=2')).data).toHaveLength(1);
    expect((await list('perPage=1')).total).toBe(2);
    for (const q of ['state=done', 'from=yesterday', 'perPage=0', `from=${since}&to=${since}`]) {
      expect((await call('GET', `/v1/appointments?${q}`, 'admin')).statusCode, q).toBe(400);
    }
  });
});

describe('resolutions', () => {
  it('none yet is 404; the first is revision 1; a correction is revision 2 and revision 1 is kept unchanged', async () => {
    const f = await requestIn(app, db, 'created');
    const url = `/v1/appointments/${f.appointmentId}/resolution`;
    const none = await call('GET', url, f.patientId);
    expect(none.statusCode).toBe(404);
    expect(none.json().detail).toMatch(/not found/i);

    const first = await call('POST', url, 'clinician', {
      ...RESOLUTION,
      changeBasalTime: '22:00:00',
      glucoseScale: [
        ['Bajo', 70],
        [70, 130, 0],
      ],
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      revision: 1,
      changeBasalTime: '22:00',
      correctionReason: null,
      glucoseScale: [
        ['Bajo', 70],
        [70, 130, 0],
      ],
    });
    const [stored1] = await db.db
      .select()
      .from(appointmentResolutions)
      .where(eq(appointmentResolutions.appointmentId, f.appointmentId ?? 0));

    const again = await call('POST', url, 'clinician', RESOLUTION);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('resolution_exists');
    const stale = await call('POST', url, 'clinician', { ...RESOLUTION, revises: 2, correctionReason: 'dosis' });
    expect(stale.json().code).toBe('stale_revision');
    const half = await call('POST', url, 'clinician', { ...RESOLUTION, revises: 1 });
    expect(half.statusCode).toBe(400);

    clock.advance(60_000);
    const fix = await call('POST', url, 'clinician', {
      ...RESOLUTION,
      changeBasalDose: 22,
      emergencyCare: true,
      revises: 1,
      correctionReason: 'dosis mal tipeada',
    });
    expect(fix.statusCode, fix.body).toBe(201);
    expect(fix.json()).toMatchObject({ revision: 2, changeBasalDose: 22, correctionReason: 'dosis mal tipeada' });

    const current = (await call('GET', url, f.patientId)).json();
    expect(current).toMatchObject({ revision: 2, changeBasalDose: 22, emergencyCare: true });
    const revisions = (await call('GET', `${url}/revisions`, 'assistant')).json();
    expect(revisions.data.map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
    const rows = await db.db
      .select()
      .from(appointmentResolutions)
      .where(eq(appointmentResolutions.appointmentId, f.appointmentId ?? 0));
    expect(rows.find((r) => r.revision === 1)).toEqual(stored1);
    const appointment = (await call('GET', `/v1/appointments/${f.appointmentId}`, 'clinician')).json();
    expect(appointment).toMatchObject({
      resolutionRevision: 2,
      emergencyCare: true,
      state: 'resolved',
      requestState: 'resolved',
    });
    const [audit] = await auditOf(fix);
    expect(audit).toMatchObject({ action: 'appointments.resolve', outcome: 'success', patientId: f.patientId });
    expect(audit?.details).toMatchObject({ revision: 2, requestMoved: false });
    expect(JSON.stringify(audit?.details)).not.toMatch(/tipeada|22/);
  });

  it('only clinicians write resolutions; bad values are 400 naming the field', async () => {
    const f = await requestIn(app, db, 'created');
    const url = `/v1/appointments/${f.appointmentId}/resolution`;
    expect((await call('POST', url, 'assistant', RESOLUTION)).statusCode).toBe(403);
    expect((await call('POST', url, 'admin', RESOLUTION)).statusCode).toBe(403);
    for (const [field, patch] of [
      ['changeBasalTime', { changeBasalTime: '25:00' }],
      ['changeRatio', { changeRatio: 0 }],
      ['emergencyCare', { emergencyCare: undefined }],
      ['glucoseScale', { glucoseScale: [[]] }],
      ['notes', { notes: 'x'.repeat(4001) }],
    ] as const) {
      const res = await call('POST', url, 'clinician', { ...RESOLUTION, ...patch });
      expect(res.statusCode, field).toBe(400);
      expect(JSON.stringify(res.json().errors), field).toContain(field === 'emergencyCare' ? 'body' : `body.${field}`);
    }
    expect((await call('POST', '/v1/appointments/999999/resolution', 'clinician', RESOLUTION)).statusCode).toBe(404);
  });
});
