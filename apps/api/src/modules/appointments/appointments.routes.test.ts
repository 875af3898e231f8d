/**
 * Appointments and resolutions over HTTP: range-checked treatment details, who reaches which
 * appointment (another patient's is 404, audited), list filters, and immutable resolutions whose
 * corrections are revisions.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DETAILS, RESOLUTION, requestIn } from '../../../test/access-matrix/consultations.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { appointmentResolutions, appointments } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';

const clock = new ManualClock('2026-03-10T13:00:00.000Z');

const api = useTestApp({ clock });

describe('treatment details', () => {
  it('an accepted patient sends them: stored in units, the request becomes created, audited without values', async () => {
    const f = await requestIn(api.app, api.db, 'accepted');
    const res = await api.call(f.patientId, 'POST', '/v1/appointments', {
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
    const [row] = await api.db.db.select().from(appointments).where(eq(appointments.id, res.json().id));
    expect(row).toMatchObject({
      doseUnits: 18,
      ratioGramsPerUnit: 12,
      sensitivityMgDlPerUnit: 40,
      patientId: f.patientId,
    });
    const [audit] = await api.auditOf(res);
    expect(audit).toMatchObject({ action: 'appointments.create', patientId: f.patientId, outcome: 'success' });
    expect(JSON.stringify(audit?.details)).not.toMatch(/viaje|Humalog|110/);
    expect((await api.call(f.patientId, 'GET', '/v1/me/queue')).json()).toMatchObject({
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
    const f = await requestIn(api.app, api.db, 'accepted');
    const res = await api.call(f.patientId, 'POST', '/v1/appointments', { ...DETAILS, ...patch });
    expect(res.statusCode, res.body).toBe(400);
    expect(Object.keys(res.json().errors).join()).toContain(`body.${field}`);
    expect((await api.call(f.patientId, 'GET', '/v1/me/queue')).json().state).toBe('accepted');
  });
});

describe('who reaches an appointment', () => {
  it("a patient reads their own; another patient's is 404 like a missing one, and the refusal is audited", async () => {
    const f = await requestIn(api.app, api.db, 'created');
    const other = (await createPatient(api.db.db, { password: null })).id;
    expect((await api.call(f.patientId, 'GET', `/v1/appointments/${f.appointmentId}`)).statusCode).toBe(200);
    const denied = await api.call(other, 'GET', `/v1/appointments/${f.appointmentId}`);
    const missing = await api.call(other, 'GET', '/v1/appointments/987654');
    expect(denied.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(denied.json().detail).toBe(missing.json().detail);
    expect((await api.auditOf(denied))[0]).toMatchObject({
      action: 'appointments.read',
      outcome: 'denied',
      patientId: f.patientId,
      actorId: other,
    });
    for (const url of [
      `/v1/appointments/${f.appointmentId}/resolution`,
      `/v1/appointments/${f.appointmentId}/resolution/revisions`,
    ]) {
      expect((await api.call(other, 'GET', url)).statusCode, url).toBe(404);
    }
  });

  it("a patient's list holds only their own; naming another patient is 404", async () => {
    const mine = await requestIn(api.app, api.db, 'created');
    await requestIn(api.app, api.db, 'created');
    const own = await api.call(mine.patientId, 'GET', '/v1/appointments');
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ total: 1, data: [{ id: mine.appointmentId }] });
    const theirs = await api.call(mine.patientId, 'GET', `/v1/appointments?patientId=${mine.patientId + 1}`);
    expect(theirs.statusCode).toBe(404);
  });

  it('every staff read is audited with the patient id', async () => {
    const f = await requestIn(api.app, api.db, 'resolved');
    for (const url of [
      `/v1/appointments/${f.appointmentId}`,
      `/v1/appointments/${f.appointmentId}/resolution`,
      `/v1/appointments?patientId=${f.patientId}`,
    ]) {
      const res = await api.call('assistant', 'GET', url);
      expect(res.statusCode, url).toBe(200);
      expect((await api.auditOf(res))[0], url).toMatchObject({
        patientId: f.patientId,
        outcome: 'success',
        actorRole: 'assistant',
      });
    }
  });
});

describe('appointment lists', () => {
  it('filter by patient, state, emergency care and creation time; emergencies come first', async () => {
    const p = (await createPatient(api.db.db, { password: null })).id;
    const first = await requestIn(api.app, api.db, 'created', p);
    await api.call('clinician', 'POST', `/v1/appointments/${first.appointmentId}/resolution`, {
      ...RESOLUTION,
      emergencyCare: true,
    });
    clock.advance(86_400_000);
    const second = await requestIn(api.app, api.db, 'created', p);
    const list = async (q: string) =>
      (await api.call('clinician', 'GET', `/v1/appointments?patientId=${p}&${q}`)).json();

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
      expect((await api.call('admin', 'GET', `/v1/appointments?${q}`)).statusCode, q).toBe(400);
    }
  });
});

describe('resolutions', () => {
  it('none yet is 404; the first is revision 1; a correction is revision 2 and revision 1 is kept unchanged', async () => {
    const f = await requestIn(api.app, api.db, 'created');
    const url = `/v1/appointments/${f.appointmentId}/resolution`;
    const none = await api.call(f.patientId, 'GET', url);
    expect(none.statusCode).toBe(404);
    expect(none.json().detail).toMatch(/not found/i);

    const first = await api.call('clinician', 'POST', url, {
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
    const [stored1] = await api.db.db
      .select()
      .from(appointmentResolutions)
      .where(eq(appointmentResolutions.appointmentId, f.appointmentId ?? 0));

    const again = await api.call('clinician', 'POST', url, RESOLUTION);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('resolution_exists');
    const stale = await api.call('clinician', 'POST', url, { ...RESOLUTION, revises: 2, correctionReason: 'dosis' });
    expect(stale.json().code).toBe('stale_revision');
    const half = await api.call('clinician', 'POST', url, { ...RESOLUTION, revises: 1 });
    expect(half.statusCode).toBe(400);

    clock.advance(60_000);
    const fix = await api.call('clinician', 'POST', url, {
      ...RESOLUTION,
      changeBasalDose: 22,
      emergencyCare: true,
      revises: 1,
      correctionReason: 'dosis mal tipeada',
    });
    expect(fix.statusCode, fix.body).toBe(201);
    expect(fix.json()).toMatchObject({ revision: 2, changeBasalDose: 22, correctionReason: 'dosis mal tipeada' });

    const current = (await api.call(f.patientId, 'GET', url)).json();
    expect(current).toMatchObject({ revision: 2, changeBasalDose: 22, emergencyCare: true });
    const revisions = (await api.call('assistant', 'GET', `${url}/revisions`)).json();
    expect(revisions.data.map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
    const rows = await api.db.db
      .select()
      .from(appointmentResolutions)
      .where(eq(appointmentResolutions.appointmentId, f.appointmentId ?? 0));
    expect(rows.find((r) => r.revision === 1)).toEqual(stored1);
    const appointment = (await api.call('clinician', 'GET', `/v1/appointments/${f.appointmentId}`)).json();
    expect(appointment).toMatchObject({
      resolutionRevision: 2,
      emergencyCare: true,
      state: 'resolved',
      requestState: 'resolved',
    });
    const [audit] = await api.auditOf(fix);
    expect(audit).toMatchObject({ action: 'appointments.resolve', outcome: 'success', patientId: f.patientId });
    expect(audit?.details).toMatchObject({ revision: 2, requestMoved: false });
    expect(JSON.stringify(audit?.details)).not.toMatch(/tipeada|22/);
  });

  it('only clinicians write resolutions; bad values are 400 naming the field', async () => {
    const f = await requestIn(api.app, api.db, 'created');
    const url = `/v1/appointments/${f.appointmentId}/resolution`;
    expect((await api.call('assistant', 'POST', url, RESOLUTION)).statusCode).toBe(403);
    expect((await api.call('admin', 'POST', url, RESOLUTION)).statusCode).toBe(403);
    for (const [field, patch] of [
      ['changeBasalTime', { changeBasalTime: '25:00' }],
      ['changeRatio', { changeRatio: 0 }],
      ['emergencyCare', { emergencyCare: undefined }],
      ['glucoseScale', { glucoseScale: [[]] }],
      ['notes', { notes: 'x'.repeat(4001) }],
    ] as const) {
      const res = await api.call('clinician', 'POST', url, { ...RESOLUTION, ...patch });
      expect(res.statusCode, field).toBe(400);
      expect(JSON.stringify(res.json().errors), field).toContain(field === 'emergencyCare' ? 'body' : `body.${field}`);
    }
    expect((await api.call('clinician', 'POST', '/v1/appointments/999999/resolution', RESOLUTION)).statusCode).toBe(
      404,
    );
  });
});
