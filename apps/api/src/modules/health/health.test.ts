/** Liveness and readiness, including dead and hung dependencies (security.md RL-5, F5-F7). */
import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testKeys, usingRedis } from '../../../test/build-test-app.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { buildApp } from '../../app.js';
import { createPostgresHandle, type DbHandle } from '../../db/client.js';

const cleanup: (() => Promise<void>)[] = [];

async function build(database: DbHandle, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(env), { db: database, keys: await testKeys() });
  cleanup.push(() => app.close());
  await app.ready();
  return app;
}

/** The bounds the readiness probe put on its database pings (what keeps it within a second). */
const pingBounds: number[] = [];

/**
 * A PostgreSQL handle with tight timeouts, as an operator would configure for this test, that
 * records the bound of every ping. Timing the probe would test the machine's load instead.
 */
function deadHandle(url: string): DbHandle {
  const handle = createPostgresHandle({ url, poolMax: 1, connectTimeoutMs: 300, statementTimeoutMs: 1000 });
  cleanup.push(() => handle.close());
  const ping = handle.ping.bind(handle);
  return Object.assign(handle, {
    ping(timeoutMs: number) {
      pingBounds.push(timeoutMs);
      return ping(timeoutMs);
    },
  });
}

/** Every ping of this probe was bounded below a second. */
function expectBoundedPings() {
  expect(pingBounds.length).toBeGreaterThan(0);
  for (const bound of pingBounds.splice(0)) expect(bound).toBeLessThan(1000);
}

const ready = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/health/ready' });

function expectNotReady(res: Awaited<ReturnType<typeof ready>>) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['retry-after']).toBe('5');
  const body = res.json();
  expect(body).toMatchObject({
    type: 'https://diabetify.dev/problems/not_ready',
    status: 503,
    code: 'not_ready',
    title: 'Not ready',
    instance: '/health/ready',
    requestId: res.headers['x-request-id'],
  });
  expect(res.body).not.toMatch(/ECONNREFUSED|timed out|127\.0\.0\.1|at /);
  return body as { checks: { database: { status: string }; redis: { status: string } } };
}

const api = useTestApp({ app: false });
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe('liveness and readiness', () => {
  it('GET /health/live → 200 ok, with no dependency touched', async () => {
    const app = await build(api.db);
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it(`GET /health/ready → 200 with the database up and Redis ${usingRedis ? 'up' : 'disabled'}`, async () => {
    const app = await build(api.db);
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      status: 'ok',
      checks: {
        database: { status: 'up', latencyMs: expect.any(Number) },
        redis: usingRedis ? { status: 'up', latencyMs: expect.any(Number) } : { status: 'disabled' },
      },
    });
    expect(body.checks.database.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('health routes are not rate limited', async () => {
    const app = await build(api.db, { RATE_LIMIT_MAX: '1' });
    for (let i = 0; i < 3; i++) {
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    }
  });
});

describe('readiness with a broken database', () => {
  it('nothing listening → 503 with database down, each ping bounded below a second', async () => {
    const app = await build(deadHandle('postgres://postgres@127.0.0.1:1/nope'));
    const body = expectNotReady(await ready(app));
    expect(body.checks.database).toEqual({ status: 'down' });
    expect(body.checks.redis.status).toBe(usingRedis ? 'up' : 'disabled');
    expectBoundedPings();
    // Liveness does not depend on the database.
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  describe('a hung database (accepts connections, never answers)', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    let port = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('→ 503 with every ping bounded below a second, for concurrent probes too', async () => {
      const app = await build(deadHandle(`postgres://postgres:pw@127.0.0.1:${port}/hung`));
      const results = await Promise.all([1, 2, 3].map(() => ready(app)));
      for (const res of results) expect(expectNotReady(res).checks.database).toEqual({ status: 'down' });
      // The answers came while the hung connection was still open: the bound ended the wait, not
      // the dependency.
      expect(sockets.size).toBeGreaterThan(0);
      expectBoundedPings();
      // Still bounded on the next probe: nothing piles up.
      expect((await ready(app)).statusCode).toBe(503);
      expect(sockets.size).toBeGreaterThan(0);
      expectBoundedPings();
    });
  });
});

describe('readiness with Redis unreachable', () => {
  it('→ 503 with redis down and the database up', async () => {
    const app = await build(api.db, { REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '200' });
    expect(app.redis).not.toBeNull();
    const body = expectNotReady(await ready(app));
    expect(body.checks).toEqual({
      database: { status: 'up', latencyMs: expect.any(Number) },
      redis: { status: 'down' },
    });
    // The configured command bound, not a stopwatch: an unreachable Redis cannot hold the probe longer.
    expect(app.redis?.options.commandTimeout).toBe(200);
  });
});
