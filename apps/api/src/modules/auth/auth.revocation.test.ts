import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, createTestDb, usingRedis } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import type { DbHandle } from '../../db/client.js';
import { InProcessEventBus } from '../../lib/event-bus.js';

/**
 * Two app instances on one database. With TEST_REDIS_URL each has its own Redis connection and
 * pub/sub subscription (the production topology); without it they share one in-process bus,
 * which exercises the same eviction path.
 */
let db: DbHandle;
let a: FastifyInstance;
let b: FastifyInstance;

beforeAll(async () => {
  db = await createTestDb();
  // Same key prefix: both instances must share the Redis channel, as a deployment's instances do.
  const shared = usingRedis
    ? { env: { REDIS_KEY_PREFIX: `diabetify:test:${randomBytes(6).toString('hex')}:` } }
    : { bus: new InProcessEventBus() };
  a = await buildTestApp({ db, ...shared });
  b = await buildTestApp({ db, ...shared });
  for (const app of [a, b]) {
    const bus = app.events.bus as { whenReady?: () => Promise<void> };
    await bus.whenReady?.();
  }
});
afterAll(async () => {
  await a.close();
  await b.close();
  await db.close();
});

async function signIn(app: FastifyInstance) {
  const p = await createPatient(db.db);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { identifier: p.dni, password: p.password },
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { accessToken: string; refreshToken: string };
}

const sessionsVia = (app: FastifyInstance, token: string) =>
  app.inject({ url: '/v1/auth/sessions', headers: bearer(token) });

async function msUntilRefused(app: FastifyInstance, token: string, limitMs = 3000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await sessionsVia(app, token);
    if (res.statusCode === 401) return performance.now() - started;
    if (performance.now() - started > limitMs) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe(`session revocation across instances (${usingRedis ? 'Redis pub/sub' : 'shared in-process bus'})`, () => {
  it('a logout on instance A is refused on instance B (which had the session cached) within 1 s', async () => {
    const t = await signIn(a);
    expect((await sessionsVia(b, t.accessToken)).statusCode).toBe(200); // B caches the live session
    const logout = await a.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(t.accessToken) });
    expect(logout.json()).toEqual({ revoked: 1 });
    const delay = await msUntilRefused(b, t.accessToken);
    console.warn(`revocation propagated to the second instance in ${delay.toFixed(1)} ms`);
    expect(delay).toBeLessThan(1000);
    expect((await sessionsVia(b, t.accessToken)).json().code).toBe('session_revoked');
  });

  it('logout-all on A ends every session of the user on B', async () => {
    const p = await createPatient(db.db);
    const login = () =>
      a.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: p.dni, password: p.password } });
    const one = (await login()).json();
    const two = (await login()).json();
    expect((await sessionsVia(b, one.accessToken)).statusCode).toBe(200);
    expect((await sessionsVia(b, two.accessToken)).statusCode).toBe(200);
    const out = await a.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(one.accessToken) });
    expect(out.json()).toEqual({ revoked: 2 });
    expect(await msUntilRefused(b, one.accessToken)).toBeLessThan(1000);
    expect(await msUntilRefused(b, two.accessToken)).toBeLessThan(1000);
  });

  it('revoking one of my sessions by id from another session', async () => {
    const p = await createPatient(db.db);
    const login = () =>
      a.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier: p.dni, password: p.password } });
    const phone = (await login()).json();
    const laptop = (await login()).json();
    const list = (await sessionsVia(b, laptop.accessToken)).json().data as { id: string; current: boolean }[];
    expect(list).toHaveLength(2);
    const other = list.find((s) => !s.current);
    const del = await b.inject({
      method: 'DELETE',
      url: `/v1/auth/sessions/${other?.id}`,
      headers: bearer(laptop.accessToken),
    });
    expect(del.json()).toEqual({ revoked: 1 });
    expect(await msUntilRefused(a, phone.accessToken)).toBeLessThan(1000);
    expect((await sessionsVia(a, laptop.accessToken)).statusCode).toBe(200);
  });

  it("someone else's session id is a 404, and nothing is revoked", async () => {
    const mine = await signIn(a);
    const theirs = await signIn(a);
    const theirId = ((await sessionsVia(a, theirs.accessToken)).json().data as { id: string }[])[0]?.id;
    const res = await a.inject({
      method: 'DELETE',
      url: `/v1/auth/sessions/${theirId}`,
      headers: bearer(mine.accessToken),
    });
    expect(res.statusCode).toBe(404);
    expect((await sessionsVia(b, theirs.accessToken)).statusCode).toBe(200);
  });
});
