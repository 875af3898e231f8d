import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, usingRedis } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { nextEvent, useTestApp } from '../../../test/use-test-app.js';
import { InProcessEventBus } from '../../lib/event-bus.js';

/**
 * Two app instances on one database. With TEST_REDIS_URL each has its own Redis connection and
 * pub/sub subscription (the production topology); without it they share one in-process bus,
 * which exercises the same eviction path.
 */
let a: FastifyInstance;
let b: FastifyInstance;

// Both instances are this file's extra apps: `app: false` builds none of its own.
const api = useTestApp({ app: false });

beforeAll(async () => {
  // Same key prefix: both instances must share the Redis channel, as a deployment's instances do.
  const shared = usingRedis
    ? { env: { REDIS_KEY_PREFIX: `diabetify:test:${randomBytes(6).toString('hex')}:` } }
    : { bus: new InProcessEventBus() };
  a = await api.extraApp(shared);
  b = await api.extraApp(shared);
  for (const app of [a, b]) {
    const bus = app.events.bus as { whenReady?: () => Promise<void> };
    await bus.whenReady?.();
  }
});

async function signIn(app: FastifyInstance) {
  return signInAs(app, await createPatient(api.db.db));
}

/** One more session of the same patient, signed in on `app`. */
async function signInAs(app: FastifyInstance, p: { dni: string; password: string }) {
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

/**
 * A sessions/revoked event reaching `app`: its own guard subscribed first (at build), so by then
 * the cached sessions are evicted. The ordering under test, with no stopwatch.
 */
const revocationReaches = (app: FastifyInstance) => nextEvent(app, 'sessions', 'revoked');

describe(`session revocation across instances (${usingRedis ? 'Redis pub/sub' : 'shared in-process bus'})`, () => {
  it('a logout on instance A is refused on instance B (which had the session cached) once the event arrives', async () => {
    const t = await signIn(a);
    expect((await sessionsVia(b, t.accessToken)).statusCode).toBe(200); // B caches the live session
    const reached = revocationReaches(b);
    const logout = await a.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(t.accessToken) });
    expect(logout.json()).toEqual({ revoked: 1 });
    await reached;
    const refused = await sessionsVia(b, t.accessToken);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('session_revoked');
  });

  it('logout-all on A ends every session of the user on B', async () => {
    const p = await createPatient(api.db.db);
    const one = await signInAs(a, p);
    const two = await signInAs(a, p);
    expect((await sessionsVia(b, one.accessToken)).statusCode).toBe(200);
    expect((await sessionsVia(b, two.accessToken)).statusCode).toBe(200);
    const reached = revocationReaches(b);
    const out = await a.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(one.accessToken) });
    expect(out.json()).toEqual({ revoked: 2 });
    await reached;
    expect((await sessionsVia(b, one.accessToken)).statusCode).toBe(401);
    expect((await sessionsVia(b, two.accessToken)).statusCode).toBe(401);
  });

  it('revoking one of my sessions by id from another session', async () => {
    const p = await createPatient(api.db.db);
    const phone = await signInAs(a, p);
    const laptop = await signInAs(a, p);
    const list = (await sessionsVia(b, laptop.accessToken)).json().data as { id: string; current: boolean }[];
    expect(list).toHaveLength(2);
    const other = list.find((s) => !s.current);
    const reached = revocationReaches(a);
    const del = await b.inject({
      method: 'DELETE',
      url: `/v1/auth/sessions/${other?.id}`,
      headers: bearer(laptop.accessToken),
    });
    expect(del.json()).toEqual({ revoked: 1 });
    await reached;
    expect((await sessionsVia(a, phone.accessToken)).statusCode).toBe(401);
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
