/** OpenAPI 3.1 at /openapi.json documents every route; the docs UI answers at /docs. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testConfig, testKeys } from '../../test/build-test-app.js';
import { buildApp, type RouteEntry } from '../app.js';
import type { DbHandle } from '../db/client.js';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: Record<string, string[]>[];
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}

let db: DbHandle;
let app: FastifyInstance;
let doc: Document;
/** The routes of the app under test, as it recorded them while registering. */
let registered: readonly RouteEntry[];

beforeAll(async () => {
  db = await createTestDb();
  app = await buildApp(testConfig(), { db, keys: await testKeys() });
  await app.ready();
  registered = app.routeTable;
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** Documented routes: everything but HEAD, the docs UI and the document itself. */
function documentedRoutes() {
  return registered
    .filter((r) => !r.url.startsWith('/docs') && r.url !== '/openapi.json' && r.method !== 'HEAD')
    .map((r) => ({ route: r, method: r.method }));
}

/** Routes allowed to be missing from the document (none today). */
const KNOWN_UNDOCUMENTED: string[] = [];

const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with a bearer scheme', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('hides nothing but the CORS preflight catch-all and the back-office pages (HTML, not API)', () => {
    const hidden = documentedRoutes().filter(({ route }) => route.hidden);
    expect(hidden.map(({ method, route }) => `${method} ${route.url}`).sort()).toEqual(
      ['OPTIONS *', 'GET /', 'GET /admin', 'GET /admin/*', 'GET /reset-password', 'GET /set-password'].sort(),
    );
    // No API route among them: everything under /v1 is in the document.
    expect(hidden.some(({ route }) => route.url.startsWith('/v1'))).toBe(false);
  });

  it('lists every registered route with at least one response schema', () => {
    const routes = documentedRoutes().filter(({ route }) => !route.hidden);
    expect(routes.length).toBeGreaterThanOrEqual(7);
    const missing: string[] = [];
    for (const { route, method } of routes) {
      const operation = doc.paths[openapiPath(route.url)]?.[method.toLowerCase()];
      const schemas = Object.values(operation?.responses ?? {}).flatMap((r) =>
        Object.values(r.content ?? {}).filter((c) => c.schema !== undefined),
      );
      if (!operation || schemas.length === 0) missing.push(`${method} ${route.url}`);
    }
    expect(missing).toEqual(KNOWN_UNDOCUMENTED);
  });

  it('documents 401 and bearer security on every protected /v1 route', () => {
    const protectedRoutes = documentedRoutes().filter(
      ({ route }) => route.url.startsWith('/v1') && route.policy !== 'public',
    );
    expect(protectedRoutes.length).toBeGreaterThan(0);
    for (const { route, method } of protectedRoutes) {
      const operation = doc.paths[openapiPath(route.url)]?.[method.toLowerCase()];
      expect(operation?.responses?.['401'], `${method} ${route.url}`).toBeDefined();
      expect(operation?.security, `${method} ${route.url}`).toEqual([{ bearer: [] }]);
    }
  });

  it('public routes carry no security requirement', () => {
    expect(doc.paths['/health/live']?.get?.security).toBeUndefined();
    expect(doc.paths['/.well-known/jwks.json']?.get?.security).toBeUndefined();
  });
});

describe('docs UI', () => {
  it('GET /docs answers an HTML page (following redirects)', async () => {
    let url = '/docs';
    let res = await app.inject({ method: 'GET', url });
    for (let hops = 0; hops < 3 && res.statusCode >= 300 && res.statusCode < 400; hops++) {
      url = new URL(String(res.headers.location), `http://localhost${url}`).pathname;
      res = await app.inject({ method: 'GET', url });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
    expect(res.body).toMatch(/swagger/i);
  });

  it('is absent when DOCS_ENABLED=false, while /openapi.json stays', async () => {
    const off = await buildApp(testConfig({ DOCS_ENABLED: 'false' }), { db, keys: await testKeys() });
    try {
      await off.ready();
      expect((await off.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(404);
      expect((await off.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
    } finally {
      await off.close();
    }
  });
});
