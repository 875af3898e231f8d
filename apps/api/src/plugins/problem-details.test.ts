import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createTestDb, LogCapture, testConfig, testKeys } from '../../test/build-test-app.js';
import { buildApp } from '../app.js';
import type { DbHandle } from '../db/client.js';
import { responses } from '../lib/http.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET_MESSAGE = 'kaboom: password authentication failed for user "diabetify" at db.internal:5432';

let db: DbHandle;
let app: FastifyInstance;
let bare: FastifyInstance;
const logs = new LogCapture();

/** POST to the body-validating test route; a content-type header only when the test picks one. */
const postItem = (payload: object | string, contentType?: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/test/items',
    ...(contentType ? { headers: { 'content-type': contentType } } : {}),
    payload,
  });

/** The real app plus test routes, registered before `ready()`. */
async function appWithTestRoutes(): Promise<FastifyInstance> {
  const built = await buildApp(testConfig({ LOG_LEVEL: 'info', BODY_LIMIT_BYTES: '2048' }), {
    db,
    keys: await testKeys(),
    logStream: logs,
  });
  const r = built.withTypeProvider<TypeBoxTypeProvider>();
  const Item = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), count: Type.Integer() });
  r.post(
    '/v1/test/items',
    { config: { auth: 'public' }, schema: { body: Item, response: responses({ 201: Item }) } },
    async (request, reply) => reply.status(201).send(request.body),
  );
  r.get('/v1/test/boom', { config: { auth: 'public' }, schema: { response: responses({ 200: Item }) } }, async () => {
    throw new Error(SECRET_MESSAGE);
  });
  await built.ready();
  return built;
}

beforeAll(async () => {
  db = await createTestDb();
  app = await appWithTestRoutes();
  bare = await buildTestApp({ db, logStream: logs, env: { LOG_LEVEL: 'info' } });
});
afterAll(async () => {
  await app?.close();
  await bare?.close();
  await db?.close();
});

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as Record<string, unknown>;
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(res.headers['x-request-id']);
  expect(body.type).toBe(`https://diabetify.dev/problems/${body.code}`);
  return body;
}

describe('problem details', () => {
  it('answers an unknown route with a 404 problem carrying code and request id', async () => {
    const res = await bare.inject({ method: 'GET', url: '/v1/does-not-exist?x=1' });
    const body = expectProblem(res, 404);
    expect(body).toMatchObject({ code: 'not_found', title: 'Not found', instance: '/v1/does-not-exist' });
  });

  it('answers a body validation error with 400 and a field → message map', async () => {
    const res = await postItem({ name: '', count: 1.5 });
    const body = expectProblem(res, 400);
    expect(body).toMatchObject({ code: 'validation_failed', title: 'Invalid request', instance: '/v1/test/items' });
    expect(body.errors).toEqual({ 'body.name': expect.any(String), 'body.count': expect.any(String) });
  });

  it('names a missing required field', async () => {
    const res = await postItem({ name: 'a' });
    expect(expectProblem(res, 400).errors).toEqual({ 'body.count': expect.stringMatching(/required/) });
  });

  it('renders a thrown error as a generic 500; the log keeps the error and the request id (LG-1)', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/test/boom', headers: { 'x-request-id': 'boom-req-1' } });
    const body = expectProblem(res, 500);
    expect(body).toMatchObject({ code: 'internal_error', title: 'Internal server error', requestId: 'boom-req-1' });
    expect(res.body).not.toContain('kaboom');
    expect(res.body).not.toContain('db.internal');
    expect(res.body).not.toContain('at ');
    expect(res.body).not.toMatch(/stack|\.ts:|\.js:/);
    const line = logs.lines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'boom-req-1' && l.level === 50);
    expect(line).toMatchObject({ msg: 'unhandled error', err: { message: SECRET_MESSAGE } });
    expect(line.err.stack).toContain('at ');
  });

  it('answers malformed JSON with 400 malformed_json and no parser details', async () => {
    const res = await postItem('{"name": "a", "count": ', 'application/json');
    const body = expectProblem(res, 400);
    expect(body.code).toBe('malformed_json');
    expect(res.body).not.toMatch(/Unexpected|position|SyntaxError/);
  });

  it('answers an empty JSON body with 400 malformed_json', async () => {
    const res = await postItem('', 'application/json');
    expect(expectProblem(res, 400).code).toBe('malformed_json');
  });

  it.each([
    ['application/xml', '<item><name>a</name></item>'],
    ['text/plain', 'name=a'],
    ['application/x-www-form-urlencoded', 'name=a&count=1'],
  ])('answers an unsupported content type (%s) with 415 (IV-2)', async (type, payload) => {
    const res = await postItem(payload, type);
    expect(expectProblem(res, 415).code).toBe('unsupported_media_type');
  });

  it('answers a body over BODY_LIMIT_BYTES with 413 (IV-7)', async () => {
    const res = await postItem({ name: 'x'.repeat(4000), count: 1 });
    expect(expectProblem(res, 413).code).toBe('payload_too_large');
  });

  it('answers a body just under the limit normally', async () => {
    const res = await postItem({ name: 'x'.repeat(90), count: 1 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'x'.repeat(90), count: 1 });
  });
});

describe('request id', () => {
  it('keeps a well-formed X-Request-Id and echoes it in the header and the problem body', async () => {
    const id = 'client-7f3a.trace:42_x';
    const res = await app.inject({ method: 'GET', url: '/v1/nope', headers: { 'x-request-id': id } });
    expect(res.headers['x-request-id']).toBe(id);
    expect(res.json().requestId).toBe(id);
  });

  it('generates a uuid when none is sent, on success responses too', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it.each([
    ['spaces', 'a b c'],
    ['a raw newline (log injection)', 'ok\n{"level":60,"msg":"forged"}'],
    ['300 characters', 'a'.repeat(300)],
    ['an empty value', ''],
  ])('replaces an X-Request-Id with %s by a generated uuid', async (_what, value) => {
    const res = await app.inject({ method: 'GET', url: '/v1/nope', headers: { 'x-request-id': value } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.json().requestId).toBe(res.headers['x-request-id']);
  });

  it('replaces an X-Request-Id header sent twice', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/nope',
      headers: { 'x-request-id': ['first', 'second'] as unknown as string },
    });
    expect(res.headers['x-request-id']).toMatch(UUID);
  });
});
