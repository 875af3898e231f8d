/** HTTP hardening: headers, CORS, rate limit (security.md DP-5, DP-6, DP-7, CF-1, RL-1, RL-2, RL-4, RL-6). */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testKeys, usingRedis } from '../../test/build-test-app.js';
import { useTestApp } from '../../test/use-test-app.js';
import { buildApp } from '../app.js';

const apps: FastifyInstance[] = [];

/** The real app (its own Redis client when TEST_REDIS_URL is set) plus a public /v1 test route. */
async function build(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(env), { db: api.db, keys: await testKeys() });
  apps.push(app);
  app.get('/v1/test/ping', { config: { auth: 'public' } }, async () => ({ pong: true }));
  await app.ready();
  return app;
}

const api = useTestApp({ app: false });
afterAll(async () => {
  for (const app of apps) await app.close();
});

describe('security headers (DP-5, DP-6, CF-1)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build();
  });

  it.each(['/health/live', '/v1/test/ping', '/v1/audit-events', '/v1/missing'])('are sent on %s', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toMatch(
      /max-age=(\d{8,}|3[2-9]\d{6}|31536000); includeSubDomains/,
    );
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.server).toBeUndefined();
  });

  it.each([
    ['a success', '/v1/test/ping', 200],
    ['a 401', '/v1/audit-events', 401],
    ['a 404', '/v1/missing', 404],
  ])('/v1 %s is sent with cache-control: no-store', async (_what, url, status) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('the public key set stays cacheable', async () => {
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.headers['cache-control']).toBe('public, max-age=300');
  });

  it('TRACE is not served', async () => {
    const res = await app.inject({ method: 'TRACE', url: '/health/live' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('CORS (DP-7)', () => {
  const listed = 'https://admin.example';
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ CORS_ORIGINS: `${listed},https://other.example` });
  });

  it('echoes a listed origin with credentials', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/test/ping', headers: { origin: listed } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(listed);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-expose-headers']).toContain('x-request-id');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it.each([
    ['an unlisted origin', 'https://evil.example'],
    ['a listed origin with another port', 'https://admin.example:8443'],
    ['a suffix attack', 'https://admin.example.evil.test'],
    ['the null origin', 'null'],
  ])('sends no CORS headers to %s', async (_what, origin) => {
    const res = await app.inject({ method: 'GET', url: '/v1/test/ping', headers: { origin } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers a preflight from a listed origin', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/audit-events',
      headers: {
        origin: listed,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(listed);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    expect(res.headers['access-control-allow-headers']).toContain('authorization');
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it('a preflight from an unlisted origin gets no allow-origin', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/audit-events',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('rate limit (RL-1, RL-2, RL-4)', () => {
  const limited = { RATE_LIMIT_MAX: '5' };

  it('answers the 6th request with a 429 problem, Retry-After and RateLimit headers', async () => {
    const app = await build(limited);
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const res = await app.inject({ method: 'GET', url: '/v1/test/ping' });
      statuses.push(res.statusCode);
      expect(res.headers['ratelimit-limit']).toBe('5');
      expect(res.headers['ratelimit-remaining']).toBe(String(5 - i));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const res = await app.inject({ method: 'GET', url: '/v1/test/ping' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 429, code: 'rate_limited', requestId: res.headers['x-request-id'] });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.headers['ratelimit-limit']).toBe('5');
    expect(res.headers['ratelimit-remaining']).toBe('0');
    // Liveness is never limited: orchestrators must always reach it.
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('probing unknown URLs is rate limited too (RL-1)', async () => {
    const app = await build(limited);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await app.inject({ url: `/v1/probe-${i}` })).statusCode);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
  });

  it('spoofed X-Forwarded-For values do not move the key when no proxy is trusted (RL-2)', async () => {
    const app = await build(limited);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/test/ping',
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}`, 'x-real-ip': `198.51.100.${i + 1}` },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
  });

  it('path case and HEAD variants share the limit (RL-3)', async () => {
    const app = await build(limited);
    for (let i = 0; i < 5; i++) await app.inject({ method: 'HEAD', url: '/v1/test/ping' });
    expect((await app.inject({ method: 'GET', url: '/v1/test/ping' })).statusCode).toBe(429);
  });

  it(`keeps the counters ${usingRedis ? 'in Redis, with a TTL (RL-4)' : 'in process (no REDIS_URL)'}`, async () => {
    const app = await build(limited);
    await app.inject({ method: 'GET', url: '/v1/test/ping' });
    if (!usingRedis) {
      expect(app.redis).toBeNull();
      return;
    }
    const redis = app.redis;
    expect(redis).not.toBeNull();
    const prefix = app.config.redis?.keyPrefix;
    expect(prefix).toMatch(/^diabetify:test:/);
    const keys = await redis?.keys(`${prefix}rl:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis?.pttl(keys?.[0] as string);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('fails closed with a fast 503 when the limiter store is unreachable (RL-6)', async () => {
    const app = await build({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '200' });
    const started = performance.now();
    const res = await app.inject({ method: 'GET', url: '/v1/test/ping' });
    const elapsed = performance.now() - started;
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'service_unavailable' });
    expect(res.headers['retry-after']).toBe('1');
    expect(elapsed).toBeLessThan(1000);
  });
});
