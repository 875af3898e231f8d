/**
 * Patient gateway (legacy-compat.md §A), the care half: glucose readings (A.4), achievements (A.5),
 * appointments and the queue (A.6), spoken to over HTTP the way the mobile app does. The account
 * endpoints are in gateway.account.contract.test.ts. Each test uses its own patient unless it reads
 * a demo fixture.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptedPatient,
  appointmentForm,
  argentinaWallClock,
  call,
  createReading,
  expectAppointment,
  expectBusinessError,
  expectDetail,
  expectKeys,
  expectNotAuthenticated,
  expectReading,
  expectStatus,
  expectValidation422,
  newPatient,
  resetQueue,
  submit,
  useLegacy,
} from './harness.js';

const h = useLegacy();

describe('A.4 glucose readings', () => {
  it('POST /glucose/create takes the query string, empty JSON body, and answers 201 with the reading', async () => {
    const p = await newPatient(h, h.admin);
    const reply = await createReading(h, p.token, {
      glucose_level: '135',
      reading_type: 'DESAYUNO',
      notes: 'antes del café',
    });
    expectStatus(reply, 201);
    expectReading(reply.body);
    expect(reply.body).toMatchObject({
      glucose_level: 135,
      reading_type: 'DESAYUNO',
      notes: 'antes del café',
      user_id: p.userId,
    });
  });

  it('POST /glucose/create renders a sent created_at as DD/MM/YYYY HH:MM:SS Argentina time', async () => {
    const p = await newPatient(h, h.admin);
    const withMs = await createReading(h, p.token, {
      glucose_level: '110',
      reading_type: 'CENA',
      created_at: '2026-01-18T10:46:15.123Z',
    });
    expectStatus(withMs, 201);
    expect(withMs.body.created_at).toBe('18/01/2026 07:46:15');
    const appForm = await createReading(h, p.token, {
      glucose_level: '98',
      reading_type: 'OTRO',
      created_at: '2026-02-01T02:05:09Z',
    });
    expectStatus(appForm, 201);
    expect(appForm.body.created_at).toBe('31/01/2026 23:05:09');
    expect(appForm.body.notes).toBeNull();
  });

  it('POST /glucose/create without created_at stamps the current Argentina time', async () => {
    const p = await newPatient(h, h.admin);
    const before = h.clock.now().getTime();
    const reply = await createReading(h, p.token, { glucose_level: '101', reading_type: 'ALMUERZO' });
    const after = h.clock.now().getTime();
    expectStatus(reply, 201);
    const candidates = new Set<string>();
    for (let t = Math.floor(before / 1000) * 1000; t <= after + 1000; t += 1000)
      candidates.add(argentinaWallClock(new Date(t)));
    expect([...candidates]).toContain(reply.body.created_at);
  });

  it('POST /glucose/create refuses a missing or invalid level or type with 400/422', async () => {
    const p = await newPatient(h, h.admin);
    expectValidation422(await createReading(h, p.token, { reading_type: 'DESAYUNO' }));
    expectStatus(await createReading(h, p.token, { glucose_level: '120', reading_type: 'BRUNCH' }), [400, 422]);
    expectStatus(await createReading(h, p.token, { glucose_level: 'alto', reading_type: 'CENA' }), [400, 422]);
    expectStatus(await call(h.gateway, 'POST', '/glucose/create', { token: p.token, emptyJson: true }), [400, 422]);
  });

  it('POST /glucose/create without a token is 401 before validating the query', async () => {
    expectNotAuthenticated(await call(h.gateway, 'POST', '/glucose/create', { emptyJson: true }));
  });

  it('GET /glucose/mine and /glucose/mine/latest wrap readings in {"readings": [...]}', async () => {
    const p = await newPatient(h, h.admin);
    const empty = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    expectStatus(empty, 200);
    expect(empty.body).toEqual({ readings: [] });
    const created = await createReading(h, p.token, { glucose_level: '140', reading_type: 'MERIENDA', notes: 'n1' });
    for (const path of ['/glucose/mine', '/glucose/mine/latest']) {
      const reply = await call(h.gateway, 'GET', path, { token: p.token });
      expectStatus(reply, 200);
      expectKeys(reply.body, ['readings']);
      expect(reply.body.readings).toHaveLength(1);
      expectReading(reply.body.readings[0]);
      expect(reply.body.readings[0]).toEqual(created.body);
    }
    expectNotAuthenticated(await call(h.gateway, 'GET', '/glucose/mine'));
    expectNotAuthenticated(await call(h.gateway, 'GET', '/glucose/mine/latest'));
  });
});

describe('A.5 achievements', () => {
  it('GET /achievements/streak/ has streak, max_streak, four_times_today, streak_last_date', async () => {
    const p = await newPatient(h, h.admin);
    const reply = await call(h.gateway, 'GET', '/achievements/streak/', { token: p.token });
    expectStatus(reply, 200);
    expectKeys(reply.body, ['streak', 'max_streak', 'four_times_today', 'streak_last_date']);
    expect(reply.body).toMatchObject({ streak: 0, max_streak: 0, four_times_today: 0 });
    expect(reply.body.streak_last_date === null || typeof reply.body.streak_last_date === 'string').toBe(true);
    expectNotAuthenticated(await call(h.gateway, 'GET', '/achievements/streak/'));
  });

  it('GET /achievements/ is a plain array of {ach_id, name, attribute, got, progress, threshold}', async () => {
    const p = await newPatient(h, h.admin);
    const reply = await call(h.gateway, 'GET', '/achievements/', { token: p.token });
    expectStatus(reply, 200);
    expect(Array.isArray(reply.body)).toBe(true);
    const ids = reply.body.map((a: { ach_id: number }) => a.ach_id);
    for (let id = 1; id <= 10; id += 1) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of reply.body) {
      expectKeys(a, ['ach_id', 'name', 'attribute', 'got', 'progress', 'threshold']);
      expect(Number.isInteger(a.ach_id)).toBe(true);
      expect(typeof a.name).toBe('string');
      expect(['times_measured', 'max_streak']).toContain(a.attribute);
      expect(a.got).toBe(false);
      expect(a.progress).toBe(0);
      expect(Number.isInteger(a.threshold)).toBe(true);
    }
    const first = reply.body.find((a: { ach_id: number }) => a.ach_id === 1);
    expect(first).toMatchObject({ attribute: 'times_measured', threshold: 1 });
    expectNotAuthenticated(await call(h.gateway, 'GET', '/achievements/'));
  });
});

describe('A.6 appointments and queue', () => {
  it('a fresh patient: state "NONE", placement -1, queue open true, no appointments', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const state = await call(h.gateway, 'GET', '/appointments/state', { token: p.token });
    expectStatus(state, 200);
    expect(state.text).toBe('"NONE"');
    const placement = await call(h.gateway, 'GET', '/appointments/placement', { token: p.token });
    expectStatus(placement, 200);
    expect(placement.text).toBe('-1');
    const open = await call(h.gateway, 'GET', '/appointments/queue/open', { token: p.token });
    expectStatus(open, 200);
    expect(open.text).toBe('true');
    const mine = await call(h.gateway, 'GET', '/appointments/mine', { token: p.token });
    expectStatus(mine, 200);
    expect(mine.body).toEqual([]);
  });

  it('POST /appointments/submit with an empty JSON body answers 201 and a bare integer placement', async () => {
    await resetQueue(h, h.admin);
    const a = await newPatient(h, h.admin);
    const b = await newPatient(h, h.admin);
    const first = await submit(h, a.token);
    expectStatus(first, 201);
    expect(first.text).toBe('0');
    const second = await submit(h, b.token);
    expectStatus(second, 201);
    expect(second.body).toBe(1);
    const state = await call(h.gateway, 'GET', '/appointments/state', { token: b.token });
    expect(state.body).toBe('PENDING');
    const placement = await call(h.gateway, 'GET', '/appointments/placement', { token: b.token });
    expect(placement.body).toBe(1);
  });

  it('POST /appointments/create needs ACCEPTED, answers 201 with the appointment, and moves to CREATED', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    expectStatus(await submit(h, p.token), 201);
    const early = await call(h.gateway, 'POST', '/appointments/create', { token: p.token, json: appointmentForm() });
    expectBusinessError(early, /Appointment wasn't accepted yet/);
    const placement = (await call(h.gateway, 'GET', '/appointments/placement', { token: p.token })).body;
    expectStatus(await call(h.backoffice, 'PUT', `/appointments/accept/${placement}`, { token: h.admin }), 201);
    const created = await call(h.gateway, 'POST', '/appointments/create', { token: p.token, json: appointmentForm() });
    expectStatus(created, 201);
    expectAppointment(created.body);
    // The answer carries the form's treatment fields as sent (the two free-text extras are not compared here).
    const { other_motive: _other, another_treatment: _another, ...treatment } = appointmentForm();
    expect(created.body).toMatchObject({ user_id: p.userId, ...treatment });
    expect((await call(h.gateway, 'GET', '/appointments/state', { token: p.token })).body).toBe('CREATED');
    const mine = await call(h.gateway, 'GET', '/appointments/mine', { token: p.token });
    expectStatus(mine, 200);
    expect(mine.body).toEqual([created.body]);
  });

  it('POST /appointments/create refuses an invalid motive with 422 and no token with 401', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    await acceptedPatient(h, h.admin, p);
    expectValidation422(
      await call(h.gateway, 'POST', '/appointments/create', {
        token: p.token,
        json: appointmentForm({ motive: ['NADA'] }),
      }),
    );
    expectValidation422(
      await call(h.gateway, 'POST', '/appointments/create', { token: p.token, json: appointmentForm({ motive: [] }) }),
    );
    expectNotAuthenticated(await call(h.gateway, 'POST', '/appointments/create', { json: {} }));
  });

  it('GET /appointments/{id}/resolution is 404 "not found" for an unknown id', async () => {
    const p = await newPatient(h, h.admin);
    const reply = await call(h.gateway, 'GET', '/appointments/987654/resolution', { token: p.token });
    expectStatus(reply, 404);
    expectDetail(reply, /not found/i);
  });

  it('every queue endpoint answers 401 Not authenticated without a token', async () => {
    for (const path of [
      '/appointments/mine',
      '/appointments/state',
      '/appointments/placement',
      '/appointments/queue/open',
    ]) {
      expectNotAuthenticated(await call(h.gateway, 'GET', path));
    }
    expectNotAuthenticated(await call(h.gateway, 'POST', '/appointments/submit', { emptyJson: true }));
    expectNotAuthenticated(await call(h.gateway, 'GET', '/appointments/1/resolution'));
  });
});
