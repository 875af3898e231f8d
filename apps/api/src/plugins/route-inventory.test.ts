/**
 * Route × policy inventory of the real app (security.md AU-9, AZ-1 groundwork): every /v1 route
 * declares `config.auth`, and every non-public one refuses anonymous and forged callers.
 * Routes come from `app.routeTable`, recorded by an onRoute hook installed as the instance is
 * created, so nothing registered by buildApp (or any module added later) escapes the list.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestDb, patient, testConfig, testKeys, tokenFor } from '../../test/build-test-app.js';
import { buildApp } from '../app.js';
import type { DbHandle } from '../db/client.js';

let db: DbHandle;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildApp(testConfig(), { db, keys: await testKeys() });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

function v1Routes() {
  return app.routeTable.filter((r) => r.url.startsWith('/v1'));
}

/** A concrete URL for a route pattern: every parameter becomes `1`. */
const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, '1').replace(/\*$/, 'x');

describe('route inventory', () => {
  it('collects the routes of the real app', () => {
    const urls = app.routeTable.map((r) => r.url);
    expect(urls).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/.well-known/jwks.json']));
    expect(v1Routes().length).toBeGreaterThan(0);
  });

  it('every /v1 route declares a policy', () => {
    const undeclared = v1Routes().filter((r) => r.policy === undefined);
    expect(undeclared).toEqual([]);
    for (const r of v1Routes()) {
      if (r.policy === 'public') continue;
      expect(r.policy, `${r.method} ${r.url}`).toMatchObject({
        audience: expect.stringMatching(/^(app|backoffice|any)$/),
      });
    }
  });

  it('every non-public /v1 route answers 401 without a token, with a forged one, and ignores the body', async () => {
    const protectedRoutes = v1Routes().filter((r) => r.policy !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const r of protectedRoutes) {
      for (const authorization of [undefined, 'Bearer aaa.bbb.ccc']) {
        const res = await app.inject({
          method: r.method as 'GET',
          url: concrete(r.url),
          headers: {
            ...(authorization ? { authorization } : {}),
            ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { 'content-type': 'application/json' } : {}),
          },
          ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { payload: '{"not":"valid"' } : {}),
        });
        if (res.statusCode !== 401 || res.headers['www-authenticate'] !== 'Bearer') {
          failures.push(`${r.method} ${r.url} (${authorization ? 'forged' : 'anonymous'}) → ${res.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a patient token never reaches a back-office route', async () => {
    const token = await tokenFor(app, patient());
    const staffOnly = v1Routes().filter(
      (r) => typeof r.policy === 'object' && (r.policy as { audience: string }).audience === 'backoffice',
    );
    const failures: string[] = [];
    for (const r of staffOnly) {
      const res = await app.inject({ method: r.method as 'GET', url: concrete(r.url), headers: bearer(token) });
      if (res.statusCode !== 401) failures.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });
});
