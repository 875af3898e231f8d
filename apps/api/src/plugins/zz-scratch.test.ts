import { it, vi } from 'vitest';
const seen = vi.hoisted(() => [] as { method: unknown; url: string; hide?: boolean; auth?: unknown }[]);
vi.mock('fastify', async (importOriginal) => {
  const mod = await importOriginal<typeof import('fastify')>();
  const wrapped = ((opts: never) => {
    const app = mod.default(opts);
    app.addHook('onRoute', (r) => { seen.push({ method: r.method, url: r.url, hide: (r.schema as {hide?: boolean})?.hide, auth: r.config?.auth }); });
    return app;
  }) as unknown as typeof mod.default;
  return { ...mod, default: wrapped };
});
import { buildApp } from '../app.js';
import { createTestDb, testConfig, testKeys, LogCapture } from '../../test/build-test-app.js';
it('scratch', async () => {
  const db = await createTestDb();
  const logs = new LogCapture();
  const app = await buildApp(testConfig({ RATE_LIMIT_MAX: '2', LOG_LEVEL: 'info' }), { db, keys: await testKeys(), logStream: logs });
  await app.ready();
  console.warn(JSON.stringify(seen));
  console.warn(app.printRoutes({ commonPrefix: false }));
  for (let i = 0; i < 3; i++) {
    const r = await app.inject({ url: '/.well-known/jwks.json' });
    console.warn(r.statusCode, JSON.stringify(r.headers), r.body.slice(0, 300));
  }
  let r = await app.inject({ url: '/docs' });
  console.warn(r.statusCode, JSON.stringify(r.headers), r.body.slice(0, 100));
  r = await app.inject({ url: '/x', headers: { 'x-request-id': 'a b' } });
  console.warn(r.statusCode, JSON.stringify(r.headers));
  try { r = await app.inject({ url: '/x', headers: { 'x-request-id': 'a\nb' } }); console.warn(r.statusCode, r.headers['x-request-id']); } catch (e) { console.warn('inject threw', e); }
  r = await app.inject({ url: '/metrics' });
  console.warn(r.statusCode, r.body.split('\n').filter(l => /http_request|db_pool_connections_total|eventloop_lag_seconds /.test(l)).join('\n'));
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  console.warn(JSON.stringify(doc).slice(0, 3000));
  await app.close();
  await db.close();
  console.warn(logs.text.slice(0, 2000));
});
