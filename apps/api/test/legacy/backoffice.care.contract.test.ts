/**
 * Back-office gateway (legacy-compat.md §B), the care half: queue administration, appointments and
 * resolutions, glucose readings, as the React admin and the operators' scripts call them, with the
 * `admin`/`admin` account of the demo fixtures. Log-in, admins, users and token refusals are in
 * backoffice.access.contract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptedPatient,
  appointmentForm,
  call,
  createReading,
  expectAppointment,
  expectBusinessError,
  expectDetail,
  expectKeys,
  expectQueueEntry,
  expectReading,
  expectResolution,
  expectStatus,
  newPatient,
  resetQueue,
  resolutionForm,
  submit,
  useLegacy,
  type Wire,
} from './harness.js';

const h = useLegacy();

describe('B queue administration', () => {
  it('GET/POST /appointments/queue/size: bare integer, set with ?new_size=', async () => {
    const set = await call(h.backoffice, 'POST', '/appointments/queue/size?new_size=7', { token: h.admin });
    expectStatus(set, 200);
    const size = await call(h.backoffice, 'GET', '/appointments/queue/size', { token: h.admin });
    expectStatus(size, 200);
    expect(size.text).toBe('7');
    expectStatus(await call(h.backoffice, 'POST', '/appointments/queue/size?new_size=15', { token: h.admin }), 200);
  });

  it('POST /appointments/queue/close and /open flip the bare boolean GET /appointments/queue/open', async () => {
    const closed = await call(h.backoffice, 'POST', '/appointments/queue/close', { token: h.admin });
    expect(closed.status, closed.text).toBeGreaterThanOrEqual(200);
    expect(closed.status).toBeLessThan(300);
    expect((await call(h.backoffice, 'GET', '/appointments/queue/open', { token: h.admin })).text).toBe('false');
    const opened = await call(h.backoffice, 'POST', '/appointments/queue/open', { token: h.admin });
    expect(opened.status, opened.text).toBeGreaterThanOrEqual(200);
    expect(opened.status).toBeLessThan(300);
    expect((await call(h.backoffice, 'GET', '/appointments/queue/open', { token: h.admin })).text).toBe('true');
  });

  it('pending/accepted/created/queue lists, accept and deny by placement (201 true), DELETE /appointments 204', async () => {
    await resetQueue(h, h.admin);
    const [a, b, c] = [await newPatient(h, h.admin), await newPatient(h, h.admin), await newPatient(h, h.admin)];
    for (const p of [a, b, c]) expectStatus(await submit(h, p.token), 201);
    const pending = await call(h.backoffice, 'GET', '/appointments/pending', { token: h.admin });
    expectStatus(pending, 200);
    pending.body.forEach(expectQueueEntry);
    expect(pending.body.map((e: Wire) => [e.queue_placement, e.user_id, e.appointment_state])).toEqual([
      [0, a.userId, 'PENDING'],
      [1, b.userId, 'PENDING'],
      [2, c.userId, 'PENDING'],
    ]);
    const accept = await call(h.backoffice, 'PUT', '/appointments/accept/0', { token: h.admin });
    expectStatus(accept, 201);
    expect(accept.text).toBe('true');
    const deny = await call(h.backoffice, 'PUT', '/appointments/deny/1', { token: h.admin });
    expectStatus(deny, 201);
    expect(deny.text).toBe('true');
    expectStatus(
      await call(h.gateway, 'POST', '/appointments/create', { token: a.token, json: appointmentForm() }),
      201,
    );

    const list = async (path: string) => {
      const reply = await call(h.backoffice, 'GET', path, { token: h.admin });
      expectStatus(reply, 200);
      reply.body.forEach(expectQueueEntry);
      return reply.body.map((e: Wire) => [e.queue_placement, e.user_id, e.appointment_state]);
    };
    expect(await list('/appointments/pending')).toEqual([[2, c.userId, 'PENDING']]);
    expect(await list('/appointments/accepted')).toEqual([]);
    expect(await list('/appointments/created')).toEqual([[0, a.userId, 'CREATED']]);
    expect(await list('/appointments/queue')).toEqual(
      expect.arrayContaining([
        [0, a.userId, 'CREATED'],
        [1, b.userId, 'DENIED'],
        [2, c.userId, 'PENDING'],
      ]),
    );
    expectStatus(await call(h.backoffice, 'PUT', '/appointments/accept/2', { token: h.admin }), 201);
    expect(await list('/appointments/accepted')).toEqual([[2, c.userId, 'ACCEPTED']]);

    const cleared = await call(h.backoffice, 'DELETE', '/appointments', { token: h.admin });
    expectStatus(cleared, 204);
    expect(cleared.text).toBe('');
    expect(await list('/appointments/queue')).toEqual([]);
  });

  it('accept/deny of a placement nobody holds is a 4xx with a detail (never 403)', async () => {
    await resetQueue(h, h.admin);
    expectBusinessError(await call(h.backoffice, 'PUT', '/appointments/accept/42', { token: h.admin }), /./);
    expectBusinessError(await call(h.backoffice, 'PUT', '/appointments/deny/42', { token: h.admin }), /./);
  });
});

describe('B appointments and resolutions', () => {
  it('from_user, from_user/latest, create_resolution (201, e-mails the patient) and GET resolution', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const none = await call(h.backoffice, 'GET', `/appointments/from_user/latest/${p.userId}`, { token: h.admin });
    expectStatus(none, 404);
    expectDetail(none);
    expect((await call(h.backoffice, 'GET', `/appointments/from_user/${p.userId}`, { token: h.admin })).body).toEqual(
      [],
    );

    await acceptedPatient(h, h.admin, p);
    const created = await call(h.gateway, 'POST', '/appointments/create', { token: p.token, json: appointmentForm() });
    expectStatus(created, 201);
    const id = created.body.appointment_id;

    const all = await call(h.backoffice, 'GET', `/appointments/from_user/${p.userId}`, { token: h.admin });
    expectStatus(all, 200);
    all.body.forEach(expectAppointment);
    expect(all.body).toEqual([created.body]);
    const latest = await call(h.backoffice, 'GET', `/appointments/from_user/latest/${p.userId}`, { token: h.admin });
    expectStatus(latest, 200);
    expect(latest.body).toEqual(created.body);

    const before = await call(h.backoffice, 'GET', `/appointments/${id}/resolution`, { token: h.admin });
    expectStatus(before, 404);
    expectDetail(before, /not found/i);

    const mailsBefore = h.mailer.messages.length;
    const resolved = await call(h.backoffice, 'POST', '/appointments/create_resolution', {
      token: h.admin,
      json: resolutionForm(id),
    });
    expectStatus(resolved, 201);
    expectResolution(resolved.body);
    expect(resolved.body).toMatchObject({ appointment_id: id, change_basal_type: 'Lantus', change_basal_dose: 14 });
    const got = await call(h.backoffice, 'GET', `/appointments/${id}/resolution`, { token: h.admin });
    expectStatus(got, 200);
    expect(got.body).toEqual(resolved.body);
    await h.mailer.flush();
    expect(h.mailer.messages.slice(mailsBefore).map((m) => m.to)).toContain(p.email);
  });

  it('create_resolution for an unknown appointment is a 404 detail', async () => {
    const reply = await call(h.backoffice, 'POST', '/appointments/create_resolution', {
      token: h.admin,
      json: resolutionForm(987654),
    });
    expectStatus(reply, 404);
    expectDetail(reply, /not found|does not exist/i);
  });
});

describe('B glucose', () => {
  it('POST /glucose/reading (201), GET user, user latest, all readings, DELETE reading (string)', async () => {
    const p = await newPatient(h, h.admin);
    const other = await newPatient(h, h.admin);
    const own = await createReading(h, p.token, { glucose_level: '150', reading_type: 'CENA', notes: 'app' });
    expectStatus(own, 201);
    const made = await call(h.backoffice, 'POST', '/glucose/reading', {
      token: h.admin,
      json: { user_id: p.userId, glucose_level: 88, reading_type: 'EJERCICIO', notes: 'cargada en consultorio' },
    });
    expectStatus(made, 201);
    expectReading(made.body);
    expect(made.body).toMatchObject({
      user_id: p.userId,
      glucose_level: 88,
      reading_type: 'EJERCICIO',
      notes: 'cargada en consultorio',
    });
    expectStatus(await createReading(h, other.token, { glucose_level: '77', reading_type: 'OTRO' }), 201);

    for (const path of [`/glucose/user/${p.userId}`, `/glucose/user/${p.userId}/latest`]) {
      const reply = await call(h.backoffice, 'GET', path, { token: h.admin });
      expectStatus(reply, 200);
      expectKeys(reply.body, ['readings']);
      reply.body.readings.forEach(expectReading);
      expect(reply.body.readings.map((r: Wire) => r.id)).toEqual([own.body.id, made.body.id]);
    }
    const everything = await call(h.backoffice, 'GET', '/glucose/readings', { token: h.admin });
    expectStatus(everything, 200);
    expectKeys(everything.body, ['readings']);
    const owners = new Set(everything.body.readings.map((r: Wire) => r.user_id));
    expect(owners.has(p.userId) && owners.has(other.userId)).toBe(true);

    const removed = await call(h.backoffice, 'DELETE', `/glucose/reading/${made.body.id}`, { token: h.admin });
    expectStatus(removed, 200);
    expect(typeof removed.body).toBe('string');
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    expect(mine.body.readings.map((r: Wire) => r.id)).toEqual([own.body.id]);
    const gone = await call(h.backoffice, 'DELETE', `/glucose/reading/${made.body.id}`, { token: h.admin });
    expectStatus(gone, 404);
    expectDetail(gone);
  });
});
