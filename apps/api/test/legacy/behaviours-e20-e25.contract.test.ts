/**
 * legacy-compat.md §E, behaviours 20–25 (profile edits, CORS, blocked users, password recovery,
 * read-your-writes, the seeded fixtures), one named test each; 1–12 are in behaviours-e01-e12 and
 * 13–19 in behaviours-e13-e19. Only HTTP to the two legacy listeners is asserted.
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOWED_ORIGIN,
  call,
  createReading,
  expectBusinessError,
  expectDetail,
  expectNotAuthenticated,
  expectStatus,
  login,
  newPatient,
  unique,
  useLegacy,
  type Wire,
} from './harness.js';

const h = useLegacy();

describe('§E behaviours 20–25', () => {
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
