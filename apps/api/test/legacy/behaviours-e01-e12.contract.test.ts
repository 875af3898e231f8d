/**
 * legacy-compat.md §E, behaviours 1–12, one named test each (13–25: behaviours-e13-e19 and behaviours-e20-e25).
 * Only HTTP to the two legacy listeners is asserted.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptedPatient,
  adminToken,
  appointmentForm,
  argentinaWallClock,
  call,
  createReading,
  expectDetail,
  expectKeys,
  expectNotAuthenticated,
  expectReading,
  expectStatus,
  expectValidation422,
  LEGACY_DATE,
  login,
  newPatient,
  parseLegacyDate,
  resetQueue,
  submit,
  unique,
  useLegacy,
  type Wire,
} from './harness.js';

const h = useLegacy();

describe('§E behaviours 1–12', () => {
  it('E.1 identity: the DNI is a string (may be non-numeric), the numeric user_id is hidden from /users/me', async () => {
    const dni = `TEST${Date.now()}${unique().slice(-3)}`;
    const p = await newPatient(h, h.admin, { dni });
    const me = await call(h.gateway, 'GET', '/users/me', { token: p.token });
    expectStatus(me, 200);
    expect(me.body.dni).toBe(dni);
    expect(me.body).not.toHaveProperty('user_id');
    const reading = await createReading(h, p.token, { glucose_level: '120', reading_type: 'OTRO' });
    expect(reading.body.user_id).toBe(p.userId);
    const listed = await call(h.backoffice, 'GET', '/users/', { token: h.admin });
    expect(listed.body.find((u: Wire) => u.dni === dni)?.user_id).toBe(p.userId);
  });

  it('E.2 login is the OAuth2 password form (extra OAuth2 fields tolerated); the answer carries tokens only', async () => {
    const body = await login(h.gateway, '40123456', 'thepassword');
    for (const k of ['dni', 'name', 'email', 'user_id']) expect(body).not.toHaveProperty(k);
    // FastAPI's OAuth2PasswordRequestForm also takes grant_type=password, scope and client_id.
    const full = await call(h.gateway, 'POST', '/token', {
      form: { grant_type: 'password', username: '40123456', password: 'thepassword', scope: '', client_id: '' },
    });
    expectStatus(full, 200);
    expect(full.body.token_type).toBe('bearer');
    const missing = await call(h.gateway, 'POST', '/token', { form: { username: '40123456' } });
    expectValidation422(missing);
  });

  it('E.3 tokens: three-part JWT, integer expires_in, refresh through /token rotates and retires the old token', async () => {
    const first = await login(h.gateway, '40123457', 'thepassword2');
    expect(first.access_token.split('.')).toHaveLength(3);
    expect(Number.isInteger(first.expires_in)).toBe(true);
    expect(first.expires_in).toBeGreaterThan(0);
    const refresh = (token: string) =>
      call(h.gateway, 'POST', '/token', { form: { grant_type: 'refresh_token', refresh_token: token } });
    const rotated = await refresh(first.refresh_token);
    expectStatus(rotated, 200);
    expect(rotated.body.refresh_token).toEqual(expect.any(String));
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token);
    expect(rotated.body.access_token.split('.')).toHaveLength(3);
    // A retried refresh (the client retries 5xx) may get the same successor back, never a second one.
    const retried = await refresh(first.refresh_token);
    if (retried.status === 200) expect(retried.body.refresh_token).toBe(rotated.body.refresh_token);
    else expectStatus(retried, 401);
    const next = await refresh(rotated.body.refresh_token);
    expectStatus(next, 200);
    const replay = await refresh(first.refresh_token);
    expectStatus(replay, 401);
    expect(replay.body).toEqual({ detail: 'Invalid or expired refresh token' });
  });

  it('E.4 401 vs 403: missing/bad auth is 401 with WWW-Authenticate, checked before the body', async () => {
    expectNotAuthenticated(await call(h.gateway, 'GET', '/users/me'));
    expectNotAuthenticated(
      await call(h.gateway, 'GET', '/appointments/state', { headers: { authorization: 'Basic YTpi' } }),
    );
    expectNotAuthenticated(await call(h.gateway, 'GET', '/users/me', { headers: { authorization: 'Bearer ' } }));
    expectNotAuthenticated(await call(h.gateway, 'POST', '/appointments/create', { json: {} }));
    const garbage = await call(h.gateway, 'GET', '/users/me', { token: 'not.a.jwt' });
    expectStatus(garbage, 401);
    expectDetail(garbage);
    const staff = await call(h.gateway, 'GET', '/users/me', { token: h.admin });
    expectStatus(staff, 401);
    expectDetail(staff);
  });

  it('E.5 no 5xx for expected conditions (the deliberate exception is a re-submit)', async () => {
    await resetQueue(h, h.admin, 1);
    const a = await newPatient(h, h.admin);
    const b = await newPatient(h, h.admin);
    const replies = [
      await call(h.gateway, 'POST', '/appointments/create', { token: a.token, json: appointmentForm() }),
      await submit(h, a.token),
      await submit(h, b.token), // full
      await call(h.gateway, 'GET', '/appointments/424242/resolution', { token: a.token }),
      await call(h.gateway, 'GET', '/users/me', { token: 'garbage' }),
      await call(h.gateway, 'POST', '/token', { form: { username: a.dni, password: 'wrong-password' } }),
      await createReading(h, a.token, { glucose_level: 'x', reading_type: 'CENA' }),
      await call(h.gateway, 'POST', '/reset-password', { json: { token: 'nope', new_password: 'Otra-Clave-2026!' } }),
    ];
    for (const r of replies) expect(r.status, r.text).toBeLessThan(500);
    const again = await submit(h, a.token);
    expectStatus(again, 500);
    expect(again.body).toEqual({ detail: 'Appointment already exists in queue' });
    await resetQueue(h, h.admin);
  });

  it('E.6 FastAPI error shapes: {"detail"}, 422 list, 404 "Not Found", 405 on a wrong method', async () => {
    const p = await newPatient(h, h.admin);
    for (const base of [h.gateway, h.backoffice]) {
      const unknown = await call(base, 'GET', `/no/such/path/${unique()}`);
      expectStatus(unknown, 404);
      expect(unknown.body).toEqual({ detail: 'Not Found' });
    }
    const withToken = await call(h.gateway, 'GET', '/glucose/nothing-here', { token: p.token });
    expectStatus(withToken, 404);
    expect(withToken.body).toEqual({ detail: 'Not Found' });
    const wrongMethod = await call(h.gateway, 'GET', '/appointments/submit', { token: p.token });
    expectStatus(wrongMethod, 405);
    expectDetail(wrongMethod, /method not allowed/i);
    const wrongMethodBo = await call(h.backoffice, 'PATCH', '/appointments/queue/size', { token: h.admin });
    expectStatus(wrongMethodBo, 405);
    expectDetail(wrongMethodBo, /method not allowed/i);
    expectValidation422(await createReading(h, p.token, { reading_type: 'CENA' }));
  });

  it('E.7 an empty body with Content-Type: application/json is accepted on /glucose/create and /appointments/submit', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const reading = await call(h.gateway, 'POST', '/glucose/create?glucose_level=111&reading_type=CENA', {
      token: p.token,
      emptyJson: true,
    });
    expectStatus(reading, 201);
    const submitted = await call(h.gateway, 'POST', '/appointments/submit', { token: p.token, emptyJson: true });
    expectStatus(submitted, 201);
    expect(Number.isInteger(submitted.body)).toBe(true);
  });

  it('E.8 readings are created from the query string (glucose_level, reading_type, notes, created_at) with 201', async () => {
    const p = await newPatient(h, h.admin);
    const reply = await createReading(h, p.token, {
      glucose_level: '72',
      reading_type: 'OTRAS_COMIDAS',
      notes: 'merienda & mate = 1/2',
      created_at: '2026-03-05T12:00:00Z',
    });
    expectStatus(reply, 201);
    expectReading(reply.body);
    expect(reply.body).toMatchObject({
      glucose_level: 72,
      reading_type: 'OTRAS_COMIDAS',
      notes: 'merienda & mate = 1/2',
      created_at: '05/03/2026 09:00:00',
    });
  });

  it('E.9 dates are DD/MM/YYYY HH:MM:SS Argentina time (UTC−3), never ISO', async () => {
    const p = await newPatient(h, h.admin);
    const samples = ['2026-01-18T10:46:15.000Z', '2026-07-01T02:59:59Z', '2025-12-31T23:30:00.500Z'];
    for (const iso of samples) {
      const reply = await createReading(h, p.token, {
        glucose_level: '100',
        reading_type: 'DESAYUNO',
        created_at: iso,
      });
      expectStatus(reply, 201);
      expect(reply.body.created_at).toBe(argentinaWallClock(iso));
    }
    expect(argentinaWallClock('2026-07-01T02:59:59Z')).toBe('30/06/2026 23:59:59');
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    for (const r of mine.body.readings) {
      expect(r.created_at).toMatch(LEGACY_DATE);
      expect(r.created_at).not.toContain('T');
    }
  });

  it('E.10 envelopes: {"readings"}, plain arrays, and bare JSON scalars', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const readings = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    expectKeys(readings.body, ['readings']);
    expect(Array.isArray((await call(h.gateway, 'GET', '/appointments/mine', { token: p.token })).body)).toBe(true);
    expect(Array.isArray((await call(h.gateway, 'GET', '/achievements/', { token: p.token })).body)).toBe(true);
    const state = await call(h.gateway, 'GET', '/appointments/state', { token: p.token });
    expect(state.headers.get('content-type')).toMatch(/application\/json/);
    expect(state.text).toBe('"NONE"');
    expect((await call(h.gateway, 'GET', '/appointments/placement', { token: p.token })).text).toBe('-1');
    expect((await call(h.gateway, 'GET', '/appointments/queue/open', { token: p.token })).text).toBe('true');
    const submitted = await submit(h, p.token);
    expect(submitted.text).toBe('0');
    expect((await call(h.gateway, 'GET', '/appointments/placement', { token: p.token })).text).toBe('0');
    const forgot = await call(h.gateway, 'POST', '/forgot-password', { json: { email: p.email } });
    expect(forgot.headers.get('content-type')).toMatch(/application\/json/);
    expect(typeof forgot.body).toBe('string');
  });

  it('E.11 /appointments/state is 200 "NONE" without a queue entry (not 404)', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const state = await call(h.gateway, 'GET', '/appointments/state', { token: p.token });
    expectStatus(state, 200);
    expect(state.body).toBe('NONE');
    await acceptedPatient(h, h.admin, p);
    expect((await call(h.gateway, 'GET', '/appointments/state', { token: p.token })).body).toBe('ACCEPTED');
    expectStatus(await call(h.backoffice, 'DELETE', '/appointments', { token: h.admin }), 204);
    const after = await call(h.gateway, 'GET', '/appointments/state', { token: p.token });
    expectStatus(after, 200);
    expect(after.body).toBe('NONE');
  });

  it('E.12 no pagination: /glucose/mine returns everything oldest first, /latest the last 15 days', async () => {
    const p = await newPatient(h, h.admin);
    const now = h.clock.now().getTime();
    const old = await createReading(h, p.token, {
      glucose_level: '180',
      reading_type: 'CENA',
      created_at: new Date(now - 20 * 86_400_000).toISOString(),
    });
    expectStatus(old, 201);
    const ids = [old.body.id];
    for (let i = 0; i < 11; i += 1) {
      const r = await createReading(h, p.token, {
        glucose_level: String(90 + i),
        reading_type: 'OTRO',
        created_at: new Date(now - (10 - i) * 3_600_000).toISOString(),
      });
      expectStatus(r, 201);
      ids.push(r.body.id);
    }
    const all = await call(h.gateway, 'GET', '/glucose/mine?limit=3&offset=2', { token: p.token });
    expectStatus(all, 200);
    expect(all.body.readings.map((r: Wire) => r.id)).toEqual(ids);
    const times = all.body.readings.map((r: Wire) => parseLegacyDate(r.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const latest = await call(h.gateway, 'GET', '/glucose/mine/latest', { token: p.token });
    expectStatus(latest, 200);
    expect(latest.body.readings.map((r: Wire) => r.id)).toEqual(ids.slice(1));
  });

  it('E.12 oldest first is by reading time, not by id (a back-dated upload sorts first)', async () => {
    const p = await newPatient(h, h.admin);
    const recent = await createReading(h, p.token, { glucose_level: '130', reading_type: 'ALMUERZO' });
    const backdated = await createReading(h, p.token, {
      glucose_level: '95',
      reading_type: 'DESAYUNO',
      created_at: new Date(h.clock.now().getTime() - 2 * 86_400_000).toISOString(),
    });
    expect(backdated.body.id).toBeGreaterThan(recent.body.id);
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    expect(mine.body.readings.map((r: Wire) => r.id)).toEqual([backdated.body.id, recent.body.id]);
  });

  // Last in the file: it moves the server clock past the access token's lifetime.
  it('E.3 an expired access token is 401 "Token Expired" (WWW-Authenticate), and the refresh recovers', async () => {
    const p = await newPatient(h, h.admin);
    const tokens = await login(h.gateway, p.dni, p.password);
    h.clock.advance((tokens.expires_in + 300) * 1000);
    const expired = await call(h.gateway, 'GET', '/users/me', { token: tokens.access_token });
    expectStatus(expired, 401);
    expect(expired.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/);
    expect(expired.body).toEqual({ detail: 'Token Expired' });
    const renewed = await call(h.gateway, 'POST', '/token', {
      form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
    });
    expectStatus(renewed, 200);
    const me = await call(h.gateway, 'GET', '/users/me', { token: renewed.body.access_token });
    expectStatus(me, 200);
    expect(me.body.dni).toBe(p.dni);
    h.admin = await adminToken(h);
  });
});
