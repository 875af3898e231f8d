/** No credential or patient data reaches a log line (architecture rule 6, security.md LG-1, LG-8, JW-9). */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, createTestDb, LogCapture, testConfig, testKeys, tokenFor } from '../../test/build-test-app.js';
import { buildApp } from '../app.js';
import type { DbHandle } from '../db/client.js';

const PASSWORD = 'S3cret-Passw0rd!';
const QUERY_SECRET = 'abc123secret';
const JWT_IN_LOGS = /eyJ[A-Za-z0-9_-]{10,}\./;

let db: DbHandle;
let app: FastifyInstance;
const logs = new LogCapture();

beforeAll(async () => {
  db = await createTestDb();
  app = await buildApp(testConfig({ LOG_LEVEL: 'trace' }), { db, keys: await testKeys(), logStream: logs });
  // A careless route: logs everything it received. Redaction must still hold.
  app.post('/v1/test/login', { config: { auth: { audience: 'any' } } }, async (request) => {
    request.log.info({ body: request.body, headers: request.headers, query: request.query }, 'login attempt');
    request.log.info({ request: { body: request.body, headers: request.headers } }, 'nested');
    request.log.info(request.body as object, 'body as the log object');
    return { ok: true };
  });
  app.post('/v1/test/fail', { config: { auth: 'public' } }, async (request) => {
    const err = Object.assign(new Error('failed'), { password: PASSWORD, token: QUERY_SECRET });
    request.log.error({ err, body: request.body }, 'failure with context');
    throw err;
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('log redaction', () => {
  it('a login-like request logs neither the password, the bearer token nor the query secret', async () => {
    const token = await tokenFor(app, admin());
    const before = logs.lines.length;
    const res = await app.inject({
      method: 'POST',
      url: `/v1/test/login?token=${QUERY_SECRET}&x=1`,
      headers: { ...bearer(token), cookie: `session=${QUERY_SECRET}`, 'x-request-id': 'login-req-1' },
      payload: { identifier: 'x', password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const text = logs.lines.slice(before).join('\n');
    // The route did log, and every line of the request carries the request id…
    expect(text).toContain('login attempt');
    expect(text).toContain('"requestId":"login-req-1"');
    const mine = logs.lines.slice(before).map((l) => JSON.parse(l));
    expect(mine.length).toBeGreaterThanOrEqual(4);
    for (const line of mine) expect(line.requestId).toBe('login-req-1');
    // …but no secret made it.
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(token);
    expect(text).not.toMatch(JWT_IN_LOGS);
    expect(text).not.toContain('eyJ');
    expect(text).not.toContain(QUERY_SECRET);
    const attempt = mine.find((l) => l.msg === 'login attempt');
    expect(attempt.body).toEqual({ identifier: 'x', password: '[redacted]' });
    expect(attempt.headers.authorization).toBe('[redacted]');
    expect(attempt.headers.cookie).toBe('[redacted]');
    expect(attempt.query.token).toBe('[redacted]');
    // The request log keeps the path and drops the query string.
    const access = mine.find((l) => l.msg === 'request completed');
    expect(access.req).toMatchObject({ method: 'POST', path: '/v1/test/login', route: '/v1/test/login' });
    expect(access.res).toEqual({ statusCode: 200 });
  });

  it('a rejected token is not logged either', async () => {
    const token = await tokenFor(app, { ...admin(), at: new Date(Date.now() - 3_600_000) });
    const before = logs.lines.length;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/test/login',
      headers: bearer(token),
      payload: { identifier: 'x', password: PASSWORD },
    });
    expect(res.statusCode).toBe(401);
    const text = logs.lines.slice(before).join('\n');
    expect(text).toContain(res.headers['x-request-id'] as string);
    expect(text).not.toMatch(JWT_IN_LOGS);
    expect(text).not.toContain(PASSWORD);
  });

  it('an error logged with secrets attached has them redacted, and the 500 body carries none', async () => {
    const before = logs.lines.length;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/test/fail',
      payload: { password: PASSWORD, dni: '30123456', valueMgDl: 180 },
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain(PASSWORD);
    const text = logs.lines.slice(before).join('\n');
    expect(text).toContain('failure with context');
    expect(text).toContain('unhandled error');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(QUERY_SECRET);
    expect(text).not.toContain('30123456');
    expect(text).toContain('"valueMgDl":"[redacted]"');
    expect(text).not.toMatch(/"valueMgDl":(?!"\[redacted\]")/);
  });

  it('the whole captured log of this file has no JWT (JW-9)', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.text).not.toMatch(JWT_IN_LOGS);
  });
});
