/** `POST /v1/auth/register`: off by default (404 like an unknown URL), on with ALLOW_SELF_REGISTRATION. */
import { count, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, credentials, patients } from '../../db/schema/index.js';

let on: FastifyInstance;

const api = useTestApp();

beforeAll(async () => {
  on = await buildTestApp({ db: api.db, env: { ALLOW_SELF_REGISTRATION: 'true' } });
});
afterAll(async () => {
  await on.close();
});

let n = 0;
function body(overrides: Record<string, unknown> = {}) {
  n += 1;
  return {
    dni: `${50_000_000 + n * 101 + (process.pid % 50)}`,
    email: `self${n}.${process.pid}@patients.example`,
    name: 'Julia',
    surname: 'Roldán',
    password: 'mi glucosa bajo control',
    ...overrides,
  };
}

const register = (app: FastifyInstance, payload: unknown) =>
  app.inject({ method: 'POST', url: '/v1/auth/register', payload: payload as object });

async function patientCount() {
  const [row] = await api.db.db.select({ n: count() }).from(patients);
  return row?.n ?? 0;
}

describe('self-registration disabled (default)', () => {
  it('answers 404 like an unknown route, before validating the body, and writes nothing', async () => {
    const before = await patientCount();
    for (const payload of [body(), { nonsense: true }]) {
      const res = await register(api.app, payload);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found', detail: 'No route POST /v1/auth/register.' });
    }
    expect(await patientCount()).toBe(before);
  });
});

describe('self-registration enabled', () => {
  it('creates the patient with an argon2id credential, audited as self-registration; they can sign in', async () => {
    const input = body({ dni: '33.444.555', email: 'Julia.R@Example.org', timezone: 'Europe/Madrid' });
    const res = await register(on, input);
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ dni: '33444555', email: 'julia.r@example.org', timezone: 'Europe/Madrid' });
    expect(JSON.stringify(created)).not.toMatch(/password|hash/i);
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.patientId, created.id));
    expect(cred?.passwordHash).toMatch(/^\$argon2id\$/);
    const [audit] = await api.db.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])));
    expect(audit).toMatchObject({ action: 'patients.create', actorRole: 'anonymous', patientId: created.id });
    expect(audit?.details).toMatchObject({ source: 'self_registration' });
    const login = await on.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: '33444555', password: 'mi glucosa bajo control' },
    });
    expect(login.statusCode).toBe(200);
  });

  it.each([
    ['password', { password: undefined }],
    ['password', { password: '12345678' }],
    ['blocked', { blocked: true }],
    ['hospitalAccount', { hospitalAccount: 'HC-1' }],
    ['streakDays', { streakDays: 100 }],
    ['dni', { dni: '12' }],
  ])('400 naming %s; nothing written', async (field, overrides) => {
    const before = await patientCount();
    const res = await register(on, body(overrides));
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors)).toContain(`body.${field}`);
    expect(await patientCount()).toBe(before);
  });

  it('409 naming the field when the DNI or e-mail is registered', async () => {
    const existing = await createPatient(api.db.db);
    const dni = await register(on, body({ dni: existing.dni }));
    expect(dni.statusCode).toBe(409);
    expect(dni.json().errors).toEqual({ 'body.dni': 'is already in use' });
    const email = await register(on, body({ email: existing.email }));
    expect(email.json().errors).toEqual({ 'body.email': 'is already in use' });
  });

  it('is rate limited per IP: the 11th attempt in a minute is 429', async () => {
    const limited = await buildTestApp({ db: api.db, env: { ALLOW_SELF_REGISTRATION: 'true' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await register(limited, { nope: i })).statusCode);
      expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
      expect(statuses[10]).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
