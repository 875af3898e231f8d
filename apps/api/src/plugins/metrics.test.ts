/** Prometheus metrics at /metrics (behind METRICS_ENABLED). */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testKeys, usingPostgres } from '../../test/build-test-app.js';
import { useTestApp } from '../../test/use-test-app.js';
import { buildApp } from '../app.js';

const apps: FastifyInstance[] = [];

async function build(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(env), { db: api.db, keys: await testKeys() });
  apps.push(app);
  await app.ready();
  return app;
}

const api = useTestApp({ app: false });
afterAll(async () => {
  for (const app of apps) await app.close();
});

/** The value of the first sample line matching `prefix` (labels included), or undefined. */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  let app: FastifyInstance;
  let text: string;
  beforeAll(async () => {
    app = await build({ RATE_LIMIT_MAX: '2' });
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/v1/patients/12345/secret?token=abc' });
    await app.inject({ method: 'GET', url: '/v1/audit-events?patientId=777' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    text = res.body;
  });

  it('has a request duration histogram labelled by route pattern and status', () => {
    const bucket = /^http_request_duration_seconds_bucket\{[^}]*route="\/health\/live"[^}]*status="200"[^}]*\} (\d+)$/m;
    expect(text).toMatch(bucket);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/health\/live",status="200"\} 2$/m,
    );
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/health/live",status="200"}')).toBe(2);
    expect(text).toMatch(/route="\/v1\/audit-events",status="401"/);
  });

  it('never labels by raw URL: unmatched requests share one series and ids do not leak', () => {
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toContain('/v1/patients');
    expect(text).not.toContain('patientId');
    expect(text).not.toContain('token=');
  });

  it('has database pool gauges', () => {
    expect(text).toMatch(/^# TYPE db_pool_connections_total gauge$/m);
    const total = sample(text, 'db_pool_connections_total ');
    const max = sample(text, 'db_pool_connections_max ');
    expect(max).toBe(usingPostgres ? 10 : 1);
    expect(total).toBeGreaterThanOrEqual(usingPostgres ? 0 : 1);
    expect(total).toBeLessThanOrEqual(max as number);
    expect(sample(text, 'db_pool_requests_waiting ')).toBe(0);
    expect(sample(text, 'db_pool_connections_idle ')).toBeGreaterThanOrEqual(0);
  });

  it('has process metrics, event-loop lag included', () => {
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
  });

  it('is not rate limited (scrapers poll it)', async () => {
    for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('each app has its own registry', async () => {
    const other = await build();
    const res = await other.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/route="\/health\/live"/);
  });
});

describe('METRICS_ENABLED=false', () => {
  it('answers /metrics with a 404 problem', async () => {
    const app = await build({ METRICS_ENABLED: 'false' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('nodejs_');
  });
});
