import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createTestDb, LogCapture } from '../../test/build-test-app.js';
import type { DbHandle } from '../db/client.js';
import { responses } from '../lib/http.js';

let db: DbHandle;
let app: FastifyInstance;
const logs = new LogCapture();

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp({
    db,
    logStream: logs,
    env: { LOG_LEVEL: 'info' },
  });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('problem details', () => {
  it('answers an unknown route with a 404 problem carrying code and request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/does-not-exist?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 404, code: 'not_found', title: 'Not found', instance: '/v1/does-not-exist' });
    expect(body.requestId).toBe(res.headers['x-request-id']);
    expect(body.type).toMatch(/not_found$/);
  });
});
