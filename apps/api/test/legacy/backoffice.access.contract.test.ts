/**
 * Back-office gateway (legacy-compat.md §B), the access half: log-in and admins, patient users,
 * liveness and docs, and the refusal of missing or patient tokens, as the React admin and the
 * operators' scripts call them, with the `admin`/`admin` account of the demo fixtures. The queue,
 * resolutions and glucose endpoints are in backoffice.care.contract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  call,
  expectBusinessError,
  expectDetail,
  expectKeys,
  expectNotAuthenticated,
  expectStatus,
  expectTokenBody,
  login,
  newPatient,
  USER_FIELDS,
  unique,
  useLegacy,
  type Wire,
} from './harness.js';

const h = useLegacy();

const STRONG = 'Backoffice-Contract-2026!';

describe('B auth and admins', () => {
  it('POST /token logs admin/admin in with the password form', async () => {
    const body = await login(h.backoffice, 'admin', 'admin');
    expectTokenBody(body);
  });

  it('POST /token refuses a wrong admin password with 401', async () => {
    const reply = await call(h.backoffice, 'POST', '/token', { form: { username: 'admin', password: 'nimda' } });
    expectStatus(reply, 401);
    expectDetail(reply);
  });

  it('GET /admin/me returns {username, email}', async () => {
    const reply = await call(h.backoffice, 'GET', '/admin/me', { token: h.admin });
    expectStatus(reply, 200);
    expect(reply.body.username).toBe('admin');
    expect(typeof reply.body.email).toBe('string');
    expect(reply.body).not.toHaveProperty('password');
    expectNotAuthenticated(await call(h.backoffice, 'GET', '/admin/me'));
  });

  it('POST /admin/ creates an admin who can log in; mail and password changes apply to the caller', async () => {
    const username = `oper${unique()}`;
    const email = `${username}@clinic.example`;
    const created = await call(h.backoffice, 'POST', '/admin/', {
      token: h.admin,
      json: { username, email, password: STRONG },
    });
    expectStatus(created, [200, 201]);
    expect(created.body).toMatchObject({ username, email });
    expect(created.body).not.toHaveProperty('password');
    const token = (await login(h.backoffice, username, STRONG)).access_token;

    const newMail = `renamed-${unique()}@clinic.example`;
    const mail = await call(h.backoffice, 'PUT', `/admin/mail/change?new_mail=${encodeURIComponent(newMail)}`, {
      token,
    });
    expectStatus(mail, 200);
    expect(mail.body).toMatchObject({ username, email: newMail });
    expect((await call(h.backoffice, 'GET', '/admin/me', { token })).body).toMatchObject({ username, email: newMail });

    const newPassword = 'Backoffice-Changed-2026!';
    const pw = await call(h.backoffice, 'PUT', `/admin/password?new_password=${encodeURIComponent(newPassword)}`, {
      token,
    });
    expectStatus(pw, 200);
    expectStatus(await call(h.backoffice, 'POST', '/token', { form: { username, password: STRONG } }), 401);
    await login(h.backoffice, username, newPassword);
  });

  it('POST /recover always answers the string "Mail should be received anytime"', async () => {
    for (const query of ['email=admin%40nowhere.example', `email=ghost-${unique()}%40nowhere.example`]) {
      const reply = await call(h.backoffice, 'POST', `/recover?${query}`);
      expectStatus(reply, 200);
      expect(reply.body).toBe('Mail should be received anytime');
    }
  });
});

describe('B users', () => {
  it('GET /users/ lists every patient with user_id and the demo fixtures', async () => {
    const reply = await call(h.backoffice, 'GET', '/users/', { token: h.admin });
    expectStatus(reply, 200);
    expect(Array.isArray(reply.body)).toBe(true);
    for (const u of reply.body) {
      expectKeys(u, ['user_id', ...USER_FIELDS]);
      expect(Number.isInteger(u.user_id)).toBe(true);
      expect(typeof u.dni).toBe('string');
    }
    const dnis = reply.body.map((u: Wire) => u.dni);
    for (const dni of ['40123456', '40123457', '1000', '1001', '1002']) expect(dnis).toContain(dni);
    expect(reply.body.find((u: Wire) => u.dni === '1001').blocked).toBe(true);
    expectNotAuthenticated(await call(h.backoffice, 'GET', '/users/'));
  });

  it('POST /users/ creates a patient (UserSignUp) who logs in on the gateway; duplicates say "already"', async () => {
    const u = unique();
    const payload = {
      dni: `TEST${u}`,
      name: 'Nuevo',
      surname: 'Paciente',
      email: `new-${u}@patients.example`,
      password: 'Paciente-Contract-2026!',
      hospital_account: `H${u}`,
      blocked: false,
      tidepool: null,
    };
    const created = await call(h.backoffice, 'POST', '/users/', { token: h.admin, json: payload });
    expectStatus(created, [200, 201]);
    expectKeys(created.body, ['user_id', ...USER_FIELDS]);
    expect(created.body).toMatchObject({
      dni: payload.dni,
      name: 'Nuevo',
      surname: 'Paciente',
      email: payload.email,
      hospital_account: payload.hospital_account,
      blocked: false,
      times_measured: 0,
      streak: 0,
      max_streak: 0,
    });
    expect(created.body).not.toHaveProperty('password');
    await login(h.gateway, payload.dni, payload.password);
    const again = await call(h.backoffice, 'POST', '/users/', { token: h.admin, json: payload });
    expectBusinessError(again, /already/i);
  });

  it('GET /users/user/{user_id} returns the user without user_id; unknown id 404', async () => {
    const p = await newPatient(h, h.admin);
    const reply = await call(h.backoffice, 'GET', `/users/user/${p.userId}`, { token: h.admin });
    expectStatus(reply, 200);
    expectKeys(reply.body, USER_FIELDS);
    expect(reply.body.dni).toBe(p.dni);
    const missing = await call(h.backoffice, 'GET', '/users/user/99999999', { token: h.admin });
    expectStatus(missing, 404);
    expectDetail(missing);
  });
});

describe('B liveness, docs and tokens', () => {
  it('GET /health (200 JSON), /docs (200 HTML), /openapi.json (back-office paths)', async () => {
    const health = await call(h.backoffice, 'GET', '/health');
    expectStatus(health, 200);
    expect(health.headers.get('content-type')).toMatch(/json/);
    const docs = await call(h.backoffice, 'GET', '/docs');
    expectStatus(docs, 200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const spec = await call(h.backoffice, 'GET', '/openapi.json');
    expectStatus(spec, 200);
    expect(typeof spec.body.openapi).toBe('string');
    const paths = Object.keys(spec.body.paths ?? {});
    for (const p of ['/token', '/users/', '/appointments/pending', '/appointments/create_resolution'])
      expect(paths).toContain(p);
    expect(paths.filter((p) => p.startsWith('/v1'))).toEqual([]);
  });

  it('a patient token is refused (401) on the back-office listener', async () => {
    const patient = (await login(h.gateway, '40123456', 'thepassword')).access_token;
    for (const path of ['/users/', '/appointments/queue', '/admin/me']) {
      expectStatus(await call(h.backoffice, 'GET', path, { token: patient }), 401);
    }
    expectStatus(await call(h.backoffice, 'DELETE', '/appointments', { token: patient }), 401);
  });

  it('every back-office endpoint answers 401 Not authenticated without a token', async () => {
    const routes: [string, string][] = [
      ['GET', '/users/'],
      ['POST', '/users/'],
      ['GET', '/users/user/1'],
      ['GET', '/admin/me'],
      ['PUT', '/admin/mail/change?new_mail=x%40y.example'],
      ['PUT', '/admin/password?new_password=whatever-long-1'],
      ['GET', '/appointments/pending'],
      ['GET', '/appointments/accepted'],
      ['GET', '/appointments/created'],
      ['GET', '/appointments/queue'],
      ['GET', '/appointments/queue/size'],
      ['POST', '/appointments/queue/size?new_size=3'],
      ['GET', '/appointments/queue/open'],
      ['POST', '/appointments/queue/open'],
      ['POST', '/appointments/queue/close'],
      ['PUT', '/appointments/accept/0'],
      ['PUT', '/appointments/deny/0'],
      ['DELETE', '/appointments'],
      ['GET', '/appointments/from_user/1'],
      ['GET', '/appointments/from_user/latest/1'],
      ['POST', '/appointments/create_resolution'],
      ['GET', '/appointments/1/resolution'],
      ['GET', '/glucose/user/1'],
      ['GET', '/glucose/user/1/latest'],
      ['GET', '/glucose/readings'],
      ['POST', '/glucose/reading'],
      ['DELETE', '/glucose/reading/1'],
    ];
    for (const [method, path] of routes) {
      const reply = await call(h.backoffice, method, path, method === 'POST' ? { json: {} } : {});
      expect([method, path, reply.status]).toEqual([method, path, 401]);
      expectNotAuthenticated(reply);
    }
  });

  it('a patient cannot log in on the back-office /token', async () => {
    const reply = await call(h.backoffice, 'POST', '/token', {
      form: { username: '40123456', password: 'thepassword' },
    });
    expectStatus(reply, 401);
    expectDetail(reply);
  });
});
