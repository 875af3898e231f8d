/**
 * Patient gateway (legacy-compat.md §A), the account half: liveness and docs (A.1), log-in and refresh
 * (A.2), /users/me (A.3) and password recovery (A.8), spoken to over HTTP the way the mobile app does.
 * Readings, achievements and the queue are in gateway.care.contract.test.ts. Each test uses its own
 * patient unless it reads a demo fixture.
 */
import { describe, expect, it } from 'vitest';
import {
  call,
  createReading,
  expectBusinessError,
  expectDetail,
  expectGatewayUser,
  expectKeys,
  expectNotAuthenticated,
  expectStatus,
  expectTokenBody,
  expectValidation422,
  login,
  newPatient,
  unique,
  useLegacy,
} from './harness.js';

const h = useLegacy();

describe('A.2 POST /token (login, refresh)', () => {
  it('logs a demo patient in with the OAuth2 password form and answers only tokens', async () => {
    const body = await login(h.gateway, '40123456', 'thepassword');
    expectTokenBody(body);
    if (body.expires_in !== undefined) {
      expect(Number.isInteger(body.expires_in)).toBe(true);
      expect(body.expires_in).toBeGreaterThan(0);
    }
    if (body.refresh_token !== undefined) expect(typeof body.refresh_token).toBe('string');
  });

  it('refuses a wrong password with 401 and a FastAPI detail', async () => {
    const reply = await call(h.gateway, 'POST', '/token', { form: { username: '40123457', password: 'wrong-one' } });
    expectStatus(reply, 401);
    expectDetail(reply);
  });

  it('refuses an unknown DNI with 401/404 and a FastAPI detail', async () => {
    const reply = await call(h.gateway, 'POST', '/token', {
      form: { username: `9${unique()}`, password: 'whatever1' },
    });
    expectStatus(reply, [401, 404]);
    expectDetail(reply);
  });

  it('refuses empty fields with a 4xx (never 403)', async () => {
    const reply = await call(h.gateway, 'POST', '/token', { form: { username: '', password: '' } });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.status).not.toBe(403);
  });

  it('refreshes with grant_type=refresh_token and rotates the refresh token', async () => {
    const first = await login(h.gateway, '40123457', 'thepassword2');
    expect(typeof first.refresh_token).toBe('string');
    const reply = await call(h.gateway, 'POST', '/token', {
      form: { grant_type: 'refresh_token', refresh_token: first.refresh_token },
    });
    expectStatus(reply, 200);
    expectKeys(reply.body, ['access_token', 'token_type', 'refresh_token'], ['expires_in']);
    expect(reply.body.token_type).toBe('bearer');
    expect(reply.body.refresh_token).not.toBe(first.refresh_token);
    const me = await call(h.gateway, 'GET', '/users/me', { token: reply.body.access_token });
    expectStatus(me, 200);
    expect(me.body.dni).toBe('40123457');
  });

  it('refuses an unknown refresh token with 401 "Invalid or expired refresh token"', async () => {
    const reply = await call(h.gateway, 'POST', '/token', {
      form: { grant_type: 'refresh_token', refresh_token: `nope-${unique()}` },
    });
    expectStatus(reply, 401);
    expect(reply.body).toEqual({ detail: 'Invalid or expired refresh token' });
  });

  it('refuses a refresh without a token with a 4xx (never 403, never 5xx)', async () => {
    const reply = await call(h.gateway, 'POST', '/token', { form: { grant_type: 'refresh_token' } });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.status).not.toBe(403);
  });
});

describe('A.3 /users/me', () => {
  it('GET returns the captured user shape, without user_id', async () => {
    const token = (await login(h.gateway, '1000', 'tuvieja')).access_token;
    const me = await call(h.gateway, 'GET', '/users/me', { token });
    expectStatus(me, 200);
    expectGatewayUser(me.body);
    expect(me.body.dni).toBe('1000');
    expect(me.body.blocked).toBe(false);
  });

  it('GET without a token is 401 Not authenticated', async () => {
    expectNotAuthenticated(await call(h.gateway, 'GET', '/users/me'));
  });

  it('PATCH is partial, returns the full updated user and is visible at once', async () => {
    const p = await newPatient(h, h.admin);
    const email = `patched-${unique()}@patients.example`;
    const patched = await call(h.gateway, 'PATCH', '/users/me', {
      token: p.token,
      json: { name: 'Lucía', surname: 'Gómez', email },
    });
    expectStatus(patched, 200);
    expectGatewayUser(patched.body);
    expect(patched.body).toMatchObject({ name: 'Lucía', surname: 'Gómez', email, dni: p.dni });
    const only = await call(h.gateway, 'PATCH', '/users/me', { token: p.token, json: { name: 'Lu' } });
    expectStatus(only, 200);
    expect(only.body).toMatchObject({ name: 'Lu', surname: 'Gómez', email });
    const me = await call(h.gateway, 'GET', '/users/me', { token: p.token });
    expect(me.body).toMatchObject({ name: 'Lu', surname: 'Gómez', email });
  });

  it('PATCH without a token is 401, with an invalid e-mail 422', async () => {
    expectNotAuthenticated(await call(h.gateway, 'PATCH', '/users/me', { json: { name: 'X' } }));
    const p = await newPatient(h, h.admin);
    expectValidation422(
      await call(h.gateway, 'PATCH', '/users/me', { token: p.token, json: { email: 'not-an-email' } }),
    );
  });
});

describe('A.8 password recovery', () => {
  it('POST /forgot-password answers 200 "Mail should be received anytime" for any address', async () => {
    for (const email of ['40123456@nobody.example', `ghost-${unique()}@nowhere.example`]) {
      const reply = await call(h.gateway, 'POST', '/forgot-password', { json: { email } });
      expectStatus(reply, 200);
      const message = typeof reply.body === 'string' ? reply.body : reply.body?.message;
      expect(message).toBe('Mail should be received anytime');
    }
  });

  it('POST /reset-password with a bad token says "invalid" or "expired" (4xx, never 403)', async () => {
    const reply = await call(h.gateway, 'POST', '/reset-password', {
      json: { token: `bogus-${unique()}`, new_password: 'Otra-Clave-2026!' },
    });
    expectBusinessError(reply, /invalid|expired/i);
  });
});

describe('A.1 liveness and documentation', () => {
  it('GET /health is 200 JSON', async () => {
    const reply = await call(h.gateway, 'GET', '/health');
    expectStatus(reply, 200);
    expect(reply.headers.get('content-type')).toMatch(/json/);
  });

  it('GET /docs is 200 Swagger UI HTML', async () => {
    const reply = await call(h.gateway, 'GET', '/docs');
    expectStatus(reply, 200);
    expect(reply.headers.get('content-type')).toMatch(/text\/html/);
    expect(reply.text.toLowerCase()).toContain('<html');
  });

  it('GET /openapi.json describes the patient gateway at root paths', async () => {
    const reply = await call(h.gateway, 'GET', '/openapi.json');
    expectStatus(reply, 200);
    expect(typeof reply.body.openapi).toBe('string');
    const paths = Object.keys(reply.body.paths ?? {});
    for (const p of ['/token', '/users/me', '/glucose/create', '/glucose/mine', '/appointments/submit']) {
      expect(paths).toContain(p);
    }
    expect(paths.filter((p) => p.startsWith('/v1'))).toEqual([]);
  });

  it('endpoints the gateway never had are absent (404/405)', async () => {
    const p = await newPatient(h, h.admin);
    const reading = await createReading(h, p.token, { glucose_level: '120', reading_type: 'OTRO' });
    expectStatus(await call(h.gateway, 'DELETE', `/glucose/${reading.body.id}`, { token: p.token }), [404, 405]);
    expectStatus(await call(h.gateway, 'DELETE', `/glucose/delete/${reading.body.id}`, { token: p.token }), [404, 405]);
    expectStatus(await call(h.gateway, 'POST', '/users/register', { json: {} }), [404, 405]);
    expectStatus(await call(h.gateway, 'POST', '/logout', { token: p.token }), [404, 405]);
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    expect(mine.body.readings).toHaveLength(1);
  });
});
