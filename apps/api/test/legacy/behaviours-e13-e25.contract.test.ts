/**
 * legacy-compat.md §E, behaviours 13–25, one named test each (1–12: behaviours-e01-e12).
 * Only HTTP to the two legacy listeners is asserted.
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_ORIGIN,
  acceptedPatient,
  appointmentForm,
  call,
  createReading,
  expectAppointment,
  expectBusinessError,
  expectDetail,
  expectNotAuthenticated,
  expectResolution,
  expectStatus,
  expectValidation422,
  login,
  newPatient,
  resetQueue,
  resolutionForm,
  submit,
  unique,
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

describe('§E behaviours 13–25', () => {
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

  it('E.20 PATCH /users/me is partial and immediate; e-mail and hospital_account stay unique', async () => {
    const p = await newPatient(h, h.admin);
    const other = await newPatient(h, h.admin);
    const taken = await call(h.gateway, 'PATCH', '/users/me', { token: p.token, json: { email: other.email } });
    expectBusinessError(taken, /./);
    expect((await call(h.gateway, 'GET', '/users/me', { token: p.token })).body.email).toBe(p.email);
    const hospital = (await call(h.backoffice, 'GET', `/users/user/${other.userId}`, { token: h.admin })).body
      .hospital_account;
    const clash = await call(h.gateway, 'PATCH', '/users/me', { token: p.token, json: { hospital_account: hospital } });
    expect(clash.status, clash.text).toBeLessThan(500);
    expect(clash.status).not.toBe(403);
    const accounts = (await call(h.backoffice, 'GET', '/users/', { token: h.admin })).body.map(
      (u: Wire) => u.hospital_account,
    );
    expect(new Set(accounts).size).toBe(accounts.length);
    const renamed = await call(h.gateway, 'PATCH', '/users/me', { token: p.token, json: { surname: 'Nuevo' } });
    expectStatus(renamed, 200);
    expect(renamed.body).toMatchObject({ surname: 'Nuevo', name: 'Contrato', email: p.email, dni: p.dni });
    expect((await call(h.gateway, 'GET', '/users/me', { token: p.token })).body.surname).toBe('Nuevo');
  });

  it('E.21 CORS: the back-office allows its configured origin (Authorization, Content-Type, X-Request-Id), not others', async () => {
    const preflight = (base: string, origin: string) =>
      fetch(`${base}/users/`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization,content-type,x-request-id',
        },
      });
    const allowed = await preflight(h.backoffice, ALLOWED_ORIGIN);
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const headers = (allowed.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const name of ['authorization', 'content-type', 'x-request-id']) expect(headers).toContain(name);
    const evil = await preflight(h.backoffice, 'https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('*');
    const real = await fetch(`${h.backoffice}/users/`, {
      headers: { origin: ALLOWED_ORIGIN, authorization: `Bearer ${h.admin}` },
    });
    expect(real.status).toBe(200);
    expect(real.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const gateway = await preflight(h.gateway, ALLOWED_ORIGIN);
    if (gateway.headers.get('access-control-allow-origin')) {
      const g = (gateway.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const name of ['authorization', 'content-type', 'x-request-id']) expect(g).toContain(name);
    }
  });

  it('E.22 blocked users: listed as blocked, and the app cannot get in (login refused or blocked: true)', async () => {
    const users = (await call(h.backoffice, 'GET', '/users/', { token: h.admin })).body;
    expect(users.find((u: Wire) => u.dni === '1001')?.blocked).toBe(true);
    const p = await newPatient(h, h.admin);
    const blockedDni = `B${unique()}`;
    const made = await call(h.backoffice, 'POST', '/users/', {
      token: h.admin,
      json: {
        dni: blockedDni,
        name: 'Bloq',
        surname: 'Ueado',
        email: `blocked-${unique()}@patients.example`,
        password: p.password,
        hospital_account: `HB-${unique()}`,
        blocked: true,
      },
    });
    expectStatus(made, [200, 201]);
    expect(made.body.blocked).toBe(true);
    const attempt = await call(h.gateway, 'POST', '/token', { form: { username: blockedDni, password: p.password } });
    if (attempt.status === 200) {
      const me = await call(h.gateway, 'GET', '/users/me', { token: attempt.body.access_token });
      expect(me.body.blocked).toBe(true);
    } else {
      expectStatus(attempt, 401);
      expectDetail(attempt);
    }
  });

  it('E.23 password recovery answers the same for unknown addresses and only mails real accounts', async () => {
    const p = await newPatient(h, h.admin);
    const ghost = `ghost-${unique()}@nowhere.example`;
    const real = await call(h.gateway, 'POST', '/forgot-password', { json: { email: p.email } });
    const fake = await call(h.gateway, 'POST', '/forgot-password', { json: { email: ghost } });
    expectStatus(real, 200);
    expect([fake.status, fake.text]).toEqual([real.status, real.text]);
    await h.mailer.flush();
    const to = h.mailer.messages.map((m) => m.to);
    expect(to).toContain(p.email);
    expect(to).not.toContain(ghost);
    const mail = h.mailer.messages.find((m) => m.to === p.email);
    expect(mail?.text).toMatch(/token=/);
  });

  it('E.24 no staleness within one client: writes are visible to the next read, answers well inside 10 s', async () => {
    const p = await newPatient(h, h.admin);
    const started = Date.now();
    const created = await createReading(h, p.token, { glucose_level: '140', reading_type: 'CENA', notes: 'fresh' });
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    const me = await call(h.gateway, 'GET', '/users/me', { token: p.token });
    expect(mine.body.readings.map((r: Wire) => r.id)).toContain(created.body.id);
    expect(me.body.times_measured).toBe(1);
    const bo = await call(h.backoffice, 'GET', `/glucose/user/${p.userId}`, { token: h.admin });
    expect(bo.body.readings.map((r: Wire) => r.id)).toContain(created.body.id);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('E.25 fixtures: 40123456, 40123457, 1000 log in; admin/admin on the back-office; 1002 has Tidepool linked', async () => {
    for (const [dni, password] of [
      ['40123456', 'thepassword'],
      ['40123457', 'thepassword2'],
      ['1000', 'tuvieja'],
    ] as const) {
      const token = (await login(h.gateway, dni, password)).access_token;
      const me = await call(h.gateway, 'GET', '/users/me', { token });
      expect(me.body).toMatchObject({ dni, blocked: false });
    }
    await login(h.backoffice, 'admin', 'admin');
    const users = (await call(h.backoffice, 'GET', '/users/', { token: h.admin })).body;
    expect(users.find((u: Wire) => u.dni === '1002')).toMatchObject({ blocked: false, tidepool: expect.any(String) });
    expectNotAuthenticated(await call(h.backoffice, 'GET', '/users/'));
  });
});
