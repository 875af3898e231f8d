/**
 * The back-office gateway's queue administration against the database: accept and deny by
 * placement (history and audit rows, 404 for a non-pending placement), the clear as a day reset
 * (placements restart at 0, appointments kept), and queue settings. Resolutions and the role and
 * audience refusals are in appointments.backoffice.resolutions-access.test.ts; the shared set-up is
 * test/fixtures/appointments.backoffice.ts.
 */
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { expectDetail, FORM, useBackofficeAppointments } from '../../../test/fixtures/appointments.backoffice.js';
import { appointments, queueRequestTransitions, queueSettings } from '../../db/schema/index.js';

const q = useBackofficeAppointments();
const { api, mailer, newPatient, boCall, submit, stateOf, entries, requestOf, lastAudit } = q;

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
    expect(aRow).toMatchObject({ state: 'accepted', decidedByStaffId: q.adminId });
    const history = await api.db.db
      .select()
      .from(queueRequestTransitions)
      .where(eq(queueRequestTransitions.requestId, aRow?.id as number))
      .orderBy(asc(queueRequestTransitions.id));
    expect(history.map((t) => [t.fromState, t.toState, t.actorStaffId])).toEqual([
      [null, 'pending', null],
      ['pending', 'accepted', q.adminId],
    ]);
    expect(await lastAudit('queue.requests.accept')).toMatchObject({
      outcome: 'success',
      actorId: q.adminId,
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
    expect(await lastAudit('queue.requests.list')).toMatchObject({ outcome: 'success', actorId: q.adminId });
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
    const made = await q.gw.inject({ method: 'POST', url: '/appointments/create', headers: a.auth, payload: FORM });
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
