/**
 * legacy-compat.md §E, behaviours 13–19 (routes, liveness, ids, gamification, the queue and the
 * appointment and resolution forms), one named test each; 1–12 are in behaviours-e01-e12 and 20–25
 * in behaviours-e20-e25. Only HTTP to the two legacy listeners is asserted.
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
  expectResolution,
  expectStatus,
  expectValidation422,
  newPatient,
  resetQueue,
  resolutionForm,
  submit,
  useLegacy,
  type Wire,
} from './harness.js';

const h = useLegacy();

/** 200, served directly (no 307 redirect), same body for both spellings. */
async function expectBothSpellings(base: string, method: string, a: string, b: string, token: string) {
  const one = await call(base, method, a, { token });
  const two = await call(base, method, b, { token });
  for (const r of [one, two]) {
    expect(r.status, `${method} ${r === one ? a : b}: ${r.text.slice(0, 200)}`).toBeLessThan(300);
    expect(r.headers.get('location')).toBeNull();
  }
  return [one, two] as const;
}

describe('§E behaviours 13–19', () => {
  it('E.13 trailing slashes: both spellings are served directly, no 307', async () => {
    const p = await newPatient(h, h.admin);
    for (const [a, b] of [
      ['/achievements/', '/achievements'],
      ['/achievements/streak/', '/achievements/streak'],
    ] as const) {
      const [one, two] = await expectBothSpellings(h.gateway, 'GET', a, b, p.token);
      expect(one.body).toEqual(two.body);
    }
    const [withSlash, without] = await expectBothSpellings(h.backoffice, 'GET', '/users/', '/users', h.admin);
    expect(withSlash.body).toEqual(without.body);
    const [del1, del2] = await expectBothSpellings(h.backoffice, 'DELETE', '/appointments', '/appointments/', h.admin);
    expect([del1.status, del2.status]).toEqual([204, 204]);
  });

  it('E.14 liveness: GET /docs and GET /health are 200 on both listeners', async () => {
    for (const base of [h.gateway, h.backoffice]) {
      expectStatus(await call(base, 'GET', '/docs'), 200);
      expectStatus(await call(base, 'GET', '/health'), 200);
    }
  });

  it('E.15 ids are unique increasing integers, also under concurrent creates; values echo unchanged', async () => {
    const p = await newPatient(h, h.admin);
    const first = await createReading(h, p.token, { glucose_level: '135', reading_type: 'MERIENDA', notes: 'uno' });
    const second = await createReading(h, p.token, { glucose_level: '136', reading_type: 'CENA', notes: 'dos' });
    expect(second.body.id).toBeGreaterThan(first.body.id);
    expect(first.body).toMatchObject({ glucose_level: 135, reading_type: 'MERIENDA', notes: 'uno' });
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createReading(h, p.token, { glucose_level: String(80 + i), reading_type: 'OTRO', notes: `c${i}` }),
      ),
    );
    for (const r of burst) expectStatus(r, 201);
    const ids = burst.map((r) => r.body.id);
    expect(ids.every((id) => Number.isInteger(id) && id > second.body.id)).toBe(true);
    expect(new Set(ids).size).toBe(8);
    for (const [i, r] of burst.entries()) expect(r.body).toMatchObject({ glucose_level: 80 + i, notes: `c${i}` });
    // glucose_level is a float column in the old schema: a decimal comes back as sent.
    const decimal = await createReading(h, p.token, { glucose_level: '135.5', reading_type: 'OTRO' });
    expectStatus(decimal, 201);
    expect(decimal.body.glucose_level).toBe(135.5);
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    expect(mine.body.readings).toHaveLength(11);
  });

  it('E.16 gamification: times_measured +1, four_times_today cycles 0–3, the 4th reading of the day advances the streak', async () => {
    const p = await newPatient(h, h.admin);
    const value = { times_measured: 0, max_streak: 0 };
    for (let n = 1; n <= 4; n += 1) {
      expectStatus(await createReading(h, p.token, { glucose_level: String(100 + n), reading_type: 'OTRO' }), 201);
      const me = (await call(h.gateway, 'GET', '/users/me', { token: p.token })).body;
      const streak = (await call(h.gateway, 'GET', '/achievements/streak/', { token: p.token })).body;
      expect(me.times_measured).toBe(n);
      expect(streak.four_times_today).toBe(n % 4);
      expect(streak.streak).toBe(n < 4 ? 0 : 1);
      expect(me.streak).toBe(streak.streak);
      expect(streak.max_streak).toBeGreaterThanOrEqual(streak.streak);
      expect(me.max_streak).toBe(streak.max_streak);
      value.times_measured = me.times_measured;
      value.max_streak = me.max_streak;
    }
    const streak = (await call(h.gateway, 'GET', '/achievements/streak/', { token: p.token })).body;
    expect(typeof streak.streak_last_date).toBe('string');
    const achievements = (await call(h.gateway, 'GET', '/achievements/', { token: p.token })).body;
    for (const a of achievements) {
      const v = value[a.attribute as keyof typeof value];
      expect(a.progress, `achievement ${a.ach_id}`).toBe(Math.min(v, a.threshold));
      expect(a.got, `achievement ${a.ach_id}`).toBe(v >= a.threshold);
      if (!a.got) expect(a.progress).toBeLessThanOrEqual(a.threshold);
    }
    expect(achievements.find((a: Wire) => a.ach_id === 1).got).toBe(true);
  });

  it('E.17 queue rules: one entry per user (500 on re-submit), 0-based placements, −1 unless pending, full, closed, clear', async () => {
    await resetQueue(h, h.admin, 2);
    const [a, b, c] = [await newPatient(h, h.admin), await newPatient(h, h.admin), await newPatient(h, h.admin)];
    expect((await submit(h, a.token)).body).toBe(0);
    const again = await submit(h, a.token);
    expectStatus(again, 500);
    expect(again.body).toEqual({ detail: 'Appointment already exists in queue' });
    expect((await submit(h, b.token)).body).toBe(1);
    expectBusinessError(await submit(h, c.token), /Appointment Queue Full/);
    expectStatus(await call(h.backoffice, 'PUT', '/appointments/deny/1', { token: h.admin }), 201);
    const placement = async (token: string) =>
      (await call(h.gateway, 'GET', '/appointments/placement', { token })).body;
    const state = async (token: string) => (await call(h.gateway, 'GET', '/appointments/state', { token })).body;
    expect([await state(b.token), await placement(b.token)]).toEqual(['DENIED', -1]);
    const deniedAgain = await submit(h, b.token);
    expectStatus(deniedAgain, 500);
    expect(deniedAgain.body).toEqual({ detail: 'Appointment already exists in queue' });
    expect(await placement(a.token)).toBe(0);
    expectStatus(await call(h.backoffice, 'PUT', '/appointments/accept/0', { token: h.admin }), 201);
    expect([await state(a.token), await placement(a.token)]).toEqual(['ACCEPTED', -1]);
    const created = await call(h.gateway, 'POST', '/appointments/create', { token: a.token, json: appointmentForm() });
    expectStatus(created, 201);
    expect([await state(a.token), await placement(a.token)]).toEqual(['CREATED', -1]);
    expectStatus(
      await call(h.backoffice, 'POST', '/appointments/create_resolution', {
        token: h.admin,
        json: resolutionForm(created.body.appointment_id),
      }),
      201,
    );
    expect(await state(a.token)).toBe('CREATED');
    expectStatus(await submit(h, a.token), 500);

    expectStatus(await call(h.backoffice, 'DELETE', '/appointments', { token: h.admin }), 204);
    expect([await state(a.token), await state(b.token)]).toEqual(['NONE', 'NONE']);
    expect(
      await call(h.backoffice, 'POST', '/appointments/queue/close', { token: h.admin }).then((r) => r.status),
    ).toBeLessThan(300);
    expect((await call(h.gateway, 'GET', '/appointments/queue/open', { token: c.token })).body).toBe(false);
    expectBusinessError(await submit(h, c.token), /Appointment Queue is not open/);
    expect(await state(c.token)).toBe('NONE');
    await resetQueue(h, h.admin);
    expect((await submit(h, c.token)).body).toBe(0);
    expect((await submit(h, a.token)).body).toBe(1);
  });

  it('E.18 the appointment form accepts empty strings and free insulin/pump strings; motive is a non-empty enum list', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const q = await newPatient(h, h.admin);
    await acceptedPatient(h, h.admin, p);
    await acceptedPatient(h, h.admin, q);
    const create = (token: string, form: Record<string, unknown>) =>
      call(h.gateway, 'POST', '/appointments/create', { token, json: appointmentForm(form) });
    expectValidation422(await create(p.token, { motive: [] }));
    expectValidation422(await create(p.token, { motive: ['AJUSTE', 'CANSANCIO'] }));
    const free = await create(p.token, {
      insulin_type: 'glargina U300',
      pump_type: 'Medtronic 780G',
      motive: ['CETOSIS'],
    });
    expectStatus(free, 201);
    expectAppointment(free.body);
    expect(free.body).toMatchObject({ insulin_type: 'glargina U300', pump_type: 'Medtronic 780G', control_data: '' });
    expect(['', null]).toContain(free.body.other_motive);
    expect(['', null]).toContain(free.body.another_treatment);
    const other = await create(q.token, { motive: ['OTRO', 'DUDAS'], other_motive: 'viaje', another_treatment: null });
    expectStatus(other, 201);
    expect(other.body).toMatchObject({ motive: ['OTRO', 'DUDAS'], other_motive: 'viaje', another_treatment: null });
  });

  it('E.19 a missing resolution is 404 "not found"; glucose_scale is optional and free-form', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const q = await newPatient(h, h.admin);
    const ids: number[] = [];
    for (const who of [p, q]) {
      await acceptedPatient(h, h.admin, who);
      const made = await call(h.gateway, 'POST', '/appointments/create', { token: who.token, json: appointmentForm() });
      expectStatus(made, 201);
      ids.push(made.body.appointment_id);
    }
    const [pId, qId] = ids as [number, number];
    const missing = await call(h.gateway, 'GET', `/appointments/${pId}/resolution`, { token: p.token });
    expectStatus(missing, 404);
    expectDetail(missing, /not found/i);
    const withoutScale = resolutionForm(pId, { change_basal_time: '22:00:00' });
    delete withoutScale.glucose_scale;
    expectStatus(
      await call(h.backoffice, 'POST', '/appointments/create_resolution', { token: h.admin, json: withoutScale }),
      201,
    );
    const numeric = [
      [70, 130, 0],
      [130, 180, 2],
    ];
    expectStatus(
      await call(h.backoffice, 'POST', '/appointments/create_resolution', {
        token: h.admin,
        json: resolutionForm(qId, { glucose_scale: numeric }),
      }),
      201,
    );
    const pRes = await call(h.gateway, 'GET', `/appointments/${pId}/resolution`, { token: p.token });
    expectStatus(pRes, 200);
    expectResolution(pRes.body);
    expect(pRes.body.glucose_scale ?? null).toBeNull();
    expect(pRes.body.change_basal_time).toMatch(/^22:00(:00)?$/);
    const qRes = await call(h.gateway, 'GET', `/appointments/${qId}/resolution`, { token: q.token });
    expect(qRes.body.glucose_scale).toEqual(numeric);
    const foreign = await call(h.gateway, 'GET', `/appointments/${qId}/resolution`, { token: p.token });
    expectStatus(foreign, 404);
    expectDetail(foreign, /not found/i);
  });
});
