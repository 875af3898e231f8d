/**
 * The back-office gateway's resolutions against the database: create_resolution (stored fields,
 * e-mail, state stays CREATED, one per appointment), invalid resolutions, and the role and audience
 * refusals on every back-office appointment route. Queue administration is in
 * appointments.backoffice.queue.test.ts; the shared set-up is test/fixtures/appointments.backoffice.ts.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createStaff } from '../../../test/factories.js';
import {
  expectDetail,
  FORM,
  resolutionForm,
  useBackofficeAppointments,
} from '../../../test/fixtures/appointments.backoffice.js';
import { appointmentResolutions, auditEvents, queueSettings } from '../../db/schema/index.js';

const q = useBackofficeAppointments();
const { api, mailer, newPatient, boCall, submit, stateOf, entries, requestOf, staffAuth } = q;

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
      await q.gw.inject({ method: 'POST', url: '/appointments/create', headers: p.auth, payload: FORM })
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
      authorStaffId: q.adminId,
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
      await q.gw.inject({ method: 'POST', url: '/appointments/create', headers: p.auth, payload: FORM })
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
