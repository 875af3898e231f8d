import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp } from '../../test/build-test-app.js';
import { AUDIENCES } from '../modules/auth/auth.keys.js';
import { createPostgresHandle, type DbHandle } from './client.js';

/** A TCP server that accepts connections and never answers: a hung PostgreSQL. */
let hung: Server;
let hungPort = 0;
const sockets: Socket[] = [];
beforeAll(async () => {
  hung = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  hungPort = (hung.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => hung.close(r));
});

/** A well-formed admin token; checking its session needs the database, which is the point. */
function adminToken(app: FastifyInstance): Promise<string> {
  const at = Math.floor(Date.now() / 1000);
  const claims = {
    subject: 'staff:1',
    audience: AUDIENCES.backoffice,
    roles: ['admin'],
    sessionId: randomUUID(),
    tokenId: randomUUID(),
  };
  return app.keys.sign(claims, at);
}

function handleTo(url: string): DbHandle {
  return createPostgresHandle({ url, poolMax: 2, connectTimeoutMs: 300, statementTimeoutMs: 500 });
}

describe('database unavailable', () => {
  it('an API call fails closed with 503 and Retry-After when PostgreSQL refuses connections', async () => {
    const db = handleTo('postgres://postgres@127.0.0.1:1/nope');
    const app = await buildTestApp({ db });
    try {
      const res = await app.inject({ url: '/v1/audit-events', headers: bearer(await adminToken(app)) });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({ code: 'service_unavailable', status: 503 });
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\bat /);
    } finally {
      await app.close();
      await db.close();
    }
  });

  it('a hung PostgreSQL makes requests end with 503 within the connect timeout, not hang', async () => {
    const db = handleTo(`postgres://postgres@127.0.0.1:${hungPort}/hung`);
    const app = await buildTestApp({ db });
    try {
      const started = performance.now();
      const res = await app.inject({ url: '/v1/audit-events', headers: bearer(await adminToken(app)) });
      expect(res.statusCode).toBe(503);
      expect(performance.now() - started).toBeLessThan(5000);
      await expect(db.ping(200)).rejects.toThrow(/timed out|timeout/);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
