/** Request validation on /v1 (security.md IV-1, IV-4, IV-5, IV-6, AZ-5). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testConfig, testKeys } from '../../test/build-test-app.js';
import { buildApp } from '../app.js';
import type { DbHandle } from '../db/client.js';
import { responses } from '../lib/http.js';
import { closeObjects } from '../lib/validation.js';

let db: DbHandle;
let app: FastifyInstance;

const Reading = Type.Object({
  patientId: Type.Integer({ minimum: 1 }),
  valueMgDl: Type.Integer({ minimum: 10, maximum: 1000 }),
  meta: Type.Optional(Type.Object({ source: Type.String({ maxLength: 20 }) })),
});

beforeAll(async () => {
  db = await createTestDb();
  const built = await buildApp(testConfig(), { db, keys: await testKeys() });
  const r = built.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/v1/test/readings',
    { config: { auth: 'public' }, schema: { body: Reading, response: responses({ 201: Reading }) } },
    async (request, reply) => reply.status(201).send(request.body),
  );
  r.get(
    '/v1/test/numbers',
    {
      config: { auth: 'public' },
      schema: {
        querystring: Type.Object({ n: Type.Integer({ minimum: 0 }), flag: Type.Optional(Type.Boolean()) }),
        response: responses({ 200: Type.Object({ n: Type.Integer(), type: Type.String(), flag: Type.Boolean() }) }),
      },
    },
    async (request) => ({ n: request.query.n, type: typeof request.query.n, flag: request.query.flag ?? false }),
  );
  r.get(
    '/v1/test/patients/:id',
    {
      config: { auth: 'public' },
      schema: {
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: responses({ 200: Type.Object({ id: Type.Integer() }) }),
      },
    },
    async (request) => ({ id: request.params.id }),
  );
  await built.ready();
  app = built;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const post = (payload: unknown) =>
  app.inject({
    method: 'POST',
    url: '/v1/test/readings',
    headers: { 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

function validationErrors(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.json() as { code: string; errors?: Record<string, string> };
}

describe('bodies on /v1', () => {
  it('accepts a valid body', async () => {
    const res = await post({ patientId: 1, valueMgDl: 110, meta: { source: 'meter' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ patientId: 1, valueMgDl: 110, meta: { source: 'meter' } });
  });

  it('rejects an unknown field with 400 naming it, instead of stripping it (AZ-5)', async () => {
    const body = validationErrors(await post({ patientId: 1, valueMgDl: 110, role: 'admin' }));
    expect(body.code).toBe('validation_failed');
    expect(body.errors).toEqual({ 'body.role': 'is not an allowed field' });
  });

  it('rejects an unknown field in a nested object too', async () => {
    const body = validationErrors(await post({ patientId: 1, valueMgDl: 110, meta: { source: 'x', blocked: true } }));
    expect(body.errors).toEqual({ 'body.meta.blocked': 'is not an allowed field' });
  });

  it.each([
    ['a numeric string', '1'],
    ['a one-element array', [1]],
    ['an operator object', { $gt: '' }],
    ['a boolean', true],
    ['null', null],
  ])('does not coerce %s into an integer id (IV-5)', async (_what, patientId) => {
    const body = validationErrors(await post({ patientId, valueMgDl: 110 }));
    expect(Object.keys(body.errors ?? {})).toEqual(['body.patientId']);
  });

  it('enforces numeric ranges', async () => {
    const body = validationErrors(await post({ patientId: 1, valueMgDl: 5000 }));
    expect(Object.keys(body.errors ?? {})).toEqual(['body.valueMgDl']);
  });

  it.each([
    ['__proto__', '{"patientId":1,"valueMgDl":110,"__proto__":{"admin":true}}'],
    ['constructor.prototype', '{"patientId":1,"valueMgDl":110,"constructor":{"prototype":{"admin":true}}}'],
  ])('rejects %s in a body with 400 (IV-4)', async (_what, raw) => {
    const res = await post(raw);
    expect(res.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('query strings and params on /v1', () => {
  it('coerces a query integer given once', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/test/numbers?n=5&flag=true' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ n: 5, type: 'number', flag: true });
  });

  it('rejects a scalar query parameter given twice (IV-6)', async () => {
    const body = validationErrors(await app.inject({ method: 'GET', url: '/v1/test/numbers?n=1&n=2' }));
    expect(Object.keys(body.errors ?? {})).toEqual(['querystring.n']);
  });

  it('rejects an unknown query parameter', async () => {
    const body = validationErrors(await app.inject({ method: 'GET', url: '/v1/test/numbers?n=1&user_id=7' }));
    expect(body.errors).toEqual({ 'querystring.user_id': 'is not an allowed field' });
  });

  it('rejects a non-numeric query integer', async () => {
    const body = validationErrors(await app.inject({ method: 'GET', url: '/v1/test/numbers?n=abc' }));
    expect(Object.keys(body.errors ?? {})).toEqual(['querystring.n']);
  });

  it('coerces a path id and rejects a non-integer one', async () => {
    const ok = await app.inject({ method: 'GET', url: '/v1/test/patients/42' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ id: 42 });
    const bad = validationErrors(await app.inject({ method: 'GET', url: '/v1/test/patients/1%20OR%201=1' }));
    expect(Object.keys(bad.errors ?? {})).toEqual(['params.id']);
  });
});

describe('closeObjects', () => {
  it('closes every object schema that does not decide, and keeps property names', () => {
    const closed = closeObjects({
      type: 'object',
      properties: {
        properties: { type: 'object', properties: { a: { type: 'string' } } },
        open: { type: 'object', properties: {}, additionalProperties: true },
        list: { type: 'array', items: { type: 'object', properties: { b: { type: 'integer' } } } },
      },
    }) as Record<string, unknown>;
    expect(closed).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        properties: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } },
        open: { type: 'object', properties: {}, additionalProperties: true },
        list: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, properties: { b: { type: 'integer' } } },
        },
      },
    });
  });
});
