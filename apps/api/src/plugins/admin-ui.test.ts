/**
 * The back-office served at /admin/ by the real app, over a tiny build written per test run:
 * CSP with a per-request nonce, SPA fallback, redirects, cache headers, the 503 when unbuilt,
 * and /v1 keeping its own headers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testConfig, testKeys } from '../../test/build-test-app.js';
import { buildApp } from '../app.js';
import type { DbHandle } from '../db/client.js';
import { withNonce } from './admin-ui.js';

const INDEX = `<!doctype html>
<html lang="es"><head><meta charset="UTF-8"><title>Diabetify</title>
<script type="module" crossorigin src="/admin/assets/index-AbC123.js"></script>
</head><body><div id="root"></div></body></html>`;

let db: DbHandle;
let dist: string;
let app: FastifyInstance;
let unbuilt: FastifyInstance;

beforeAll(async () => {
  db = await createTestDb();
  dist = mkdtempSync(path.join(os.tmpdir(), 'diabetify-admin-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  writeFileSync(path.join(dist, 'assets', 'index-AbC123.js'), 'console.log("app");\n');
  writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dist, '.env'), 'SECRET=1');
  const keys = await testKeys();
  app = await buildApp(testConfig({ ADMIN_DIST_DIR: dist }), { db, keys });
  const empty = mkdtempSync(path.join(os.tmpdir(), 'diabetify-admin-none-'));
  unbuilt = await buildApp(testConfig({ ADMIN_DIST_DIR: empty }), { db, keys });
});
afterAll(async () => {
  await app?.close();
  await unbuilt?.close();
  await db?.close();
  rmSync(dist, { recursive: true, force: true });
});

function nonceOf(html: string): string {
  const m = /<meta property="csp-nonce" content="([^"]+)">/.exec(html);
  if (!m) throw new Error(`no csp-nonce meta in ${html}`);
  return m[1] as string;
}

describe('the back-office at /admin/', () => {
  it('serves index.html with a strict CSP whose style nonce is the one in the page, new per request', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<div id="root"></div>');
    const nonce = nonceOf(res.body);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    const csp = String(res.headers['content-security-policy']).split('; ');
    expect(csp).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self'",
        `style-src 'self' 'nonce-${nonce}'`,
        "connect-src 'self'",
        "img-src 'self' data: blob:",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ]),
    );
    expect(csp.join(';')).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const again = await app.inject({ method: 'GET', url: '/admin/' });
    expect(nonceOf(again.body)).not.toBe(nonce);
  });

  it('serves index.html for client-side routes (deep links, reloads)', async () => {
    for (const url of ['/admin/patients/12/show', '/admin/reset-password', '/admin/login?next=%2Fadmin%2F']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<div id="root"></div>');
      expect(res.headers['content-security-policy'], url).toContain(`'nonce-${nonceOf(res.body)}'`);
    }
  });

  it("index.html announces the clinic's timezone (the back-office shows times on the clinic clock)", async () => {
    const res = await app.inject({ method: 'GET', url: '/admin/patients' });
    expect(res.body).toContain('<meta name="diabetify-clinic-timezone" content="America/Argentina/Buenos_Aires">');
    const elsewhere = await buildApp(testConfig({ ADMIN_DIST_DIR: dist, CLINIC_TIMEZONE: 'Europe/Madrid' }), {
      db,
      keys: await testKeys(),
    });
    try {
      const there = await elsewhere.inject({ method: 'GET', url: '/admin/' });
      expect(there.body).toContain('<meta name="diabetify-clinic-timezone" content="Europe/Madrid">');
      expect(there.body.match(/diabetify-clinic-timezone/g)).toHaveLength(1);
    } finally {
      await elsewhere.close();
    }
  });

  it('hashed assets are immutable, other files revalidate', async () => {
    const asset = await app.inject({ method: 'GET', url: '/admin/assets/index-AbC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("app");\n');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/admin/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('a missing asset is a 404 problem, not index.html; dot files and traversal are not served', async () => {
    const missing = await app.inject({ method: 'GET', url: '/admin/assets/index-Old999.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const dotfile = await app.inject({ method: 'GET', url: '/admin/.env' });
    expect(dotfile.body).not.toContain('SECRET');
    const traversal = await app.inject({ method: 'GET', url: '/admin/..%2f..%2fpackage.json' });
    expect(traversal.body).not.toContain('"dependencies"');
  });

  it('/ and /admin redirect to /admin/', async () => {
    for (const url of ['/', '/admin']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location, url).toBe('/admin/');
    }
  });

  it('the e-mailed password links redirect into the back-office, keeping the query', async () => {
    const reset = await app.inject({ method: 'GET', url: '/reset-password' });
    expect(reset.statusCode).toBe(302);
    expect(reset.headers.location).toBe('/admin/reset-password');
    const legacy = await app.inject({ method: 'GET', url: '/reset-password?token=abc%2Bdef' });
    expect(legacy.headers.location).toBe('/admin/reset-password?token=abc%2Bdef');
    const invite = await app.inject({ method: 'GET', url: '/set-password?token=xyz' });
    expect(invite.statusCode).toBe(302);
    expect(invite.headers.location).toBe('/admin/set-password?token=xyz');
  });

  it('without a build, /admin/ is a 503 page naming the build command, and the API still answers', async () => {
    for (const url of ['/admin/', '/admin/patients']) {
      const res = await unbuilt.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain('npm run build:admin');
    }
    expect((await unbuilt.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('/v1 keeps its own headers: no-store and the API CSP, never the back-office one', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/me' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).not.toContain('nonce-');
    expect(csp).not.toContain("script-src 'self'");
  });
});

describe('withNonce', () => {
  it('fills an existing meta or the Vite placeholder instead of adding a second meta', () => {
    const html = '<html><head><meta property="csp-nonce" nonce="__CSP_NONCE__"><style nonce="__CSP_NONCE__"></style>';
    const out = withNonce(html, 'n0nce');
    expect(out.match(/csp-nonce/g)).toHaveLength(1);
    expect(out).toContain('<meta property="csp-nonce" content="n0nce">');
    expect(out).toContain('<style nonce="n0nce">');
  });
});
