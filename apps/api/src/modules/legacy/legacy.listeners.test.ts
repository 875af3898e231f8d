/**
 * The legacy listeners' HTTP edge, over real sockets: both open from startServer, FastAPI error
 * shapes, `/health` `/docs` `/openapi.json`, `/token` (password form, refresh rotation, audiences),
 * and shutdown closing them. Endpoint behaviour is the contract suite's (apps/api/test/legacy).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testKeys } from '../../../test/build-test-app.js';
import { createPatient, createStaff, DEFAULT_PASSWORD } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { type RunningServer, startServer } from '../../server.js';
import { testSecrets } from '../auth/auth.secrets.js';
import { createMemoryMailer } from '../notifications/mailer.js';

let server: RunningServer;
let gw: string;
let bo: string;
let patient: Awaited<ReturnType<typeof createPatient>>;

const api = useTestApp({ app: false });

beforeAll(async () => {
  server = await startServer(
    testConfig({
      PORT: '0',
      LEGACY_GATEWAY_PORT: '0',
      LEGACY_BACKOFFICE_PORT: '0',
      LEGACY_BACKOFFICE_CORS_ORIGINS: 'https://bo.example',
    }),
    {
      db: api.db,
      keys: await testKeys(),
      secrets: testSecrets(),
      mailer: createMemoryMailer(),
      signals: [],
      exit: () => {},
    },
  );
  gw = server.legacy.gateway as string;
  bo = server.legacy.backoffice as string;
  patient = await createPatient(api.db.db, { dni: 'TEST1700000001', legacySha256: true });
  await createStaff(api.db.db, { username: 'frontdesk', roles: ['assistant'] });
});
afterAll(async () => {
  await server.shutdown('test');
});

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function login(base: string, username: string, password = DEFAULT_PASSWORD) {
  const res = await fetch(`${base}/token`, form({ username, password }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('legacy listeners', () => {
  it('serve /health, /docs and /openapi.json on both ports', async () => {
    for (const base of [gw, bo]) {
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', database: 'up' });
      expect(health.headers.get('cache-control')).toBe('no-store');
      const docs = await fetch(`${base}/docs`, { redirect: 'manual' });
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toMatch(/text\/html/);
      const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { info: { title: string }; paths: object };
      expect(spec.info.title).toMatch(/legacy/);
      expect(Object.keys(spec.paths)).toContain('/token');
    }
  });

  it('answer unknown paths and methods like FastAPI', async () => {
    const missing = await fetch(`${gw}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Not Found' });
    const wrong = await fetch(`${gw}/token`);
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ detail: 'Method Not Allowed' });
  });

  it('signs a patient in with the password form, upgrading the legacy hash, and rotates the refresh token', async () => {
    const first = await login(gw, 'TEST1700000001');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    expect(String(first.body.access_token).split('.')).toHaveLength(3);
    const [cred] = await api.db.db
      .execute<{ password_algo: string }>(
        `select password_algo from credentials where patient_id = ${patient.id}` as never,
      )
      .then((r) => (r as unknown as { rows: { password_algo: string }[] }).rows);
    expect(cred?.password_algo).toBe('argon2id');

    const refreshed = await fetch(
      `${gw}/token`,
      form({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) }),
    );
    expect(refreshed.status).toBe(200);
    const rotated = (await refreshed.json()) as Record<string, unknown>;
    expect(rotated.refresh_token).not.toBe(first.body.refresh_token);

    const missing = await fetch(`${gw}/token`, form({ grant_type: 'refresh_token' }));
    expect(missing.status).toBe(400);
    const bad = await fetch(`${gw}/token`, form({ grant_type: 'refresh_token', refresh_token: 'nope' }));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ detail: 'Invalid or expired refresh token' });
  });

  it('refuses wrong passwords and empty fields with FastAPI bodies', async () => {
    const wrong = await login(gw, 'TEST1700000001', 'wrong-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Incorrect username or password' });
    const empty = await fetch(`${gw}/token`, form({}));
    expect(empty.status).toBe(422);
    expect(await empty.json()).toEqual({
      detail: [
        { loc: ['body', 'username'], msg: 'field required', type: 'value_error.missing' },
        { loc: ['body', 'password'], msg: 'field required', type: 'value_error.missing' },
      ],
    });
  });

  it('keeps each listener to its own accounts and audience', async () => {
    // Staff cannot sign in on the patient gateway, nor patients on the back-office.
    expect((await login(gw, 'frontdesk')).status).toBe(401);
    expect((await login(bo, 'TEST1700000001')).status).toBe(401);
    const staffLogin = await login(bo, 'frontdesk');
    expect(staffLogin.status).toBe(200);
    const patientLogin = await login(gw, 'TEST1700000001');
    // A patient token on the back-office listener and a staff refresh token on the gateway are refused.
    const crossed = await fetch(`${bo}/token/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${patientLogin.body.access_token}` },
    });
    expect(crossed.status).toBe(401);
    expect(crossed.headers.get('www-authenticate')).toBe('Bearer');
    const staffRefresh = await fetch(
      `${gw}/token`,
      form({ grant_type: 'refresh_token', refresh_token: String(staffLogin.body.refresh_token) }),
    );
    expect(staffRefresh.status).toBe(401);
  });

  it('answers 401 "Not authenticated" without a token, before reading the body', async () => {
    const res = await fetch(`${gw}/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: 'Not authenticated' });
  });

  it('allows only the configured back-office origins (CORS)', async () => {
    const allowed = await fetch(`${bo}/health`, { headers: { origin: 'https://bo.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://bo.example');
    const other = await fetch(`${bo}/health`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
