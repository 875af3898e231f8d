/** The auth hook and route policies (security.md JW-1…JW-6, AU-9, AU-10, AZ-7). */
import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  base64url,
  type CryptoKey,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, ensureSession, testConfig, tokenFor } from '../../test/build-test-app.js';
import { buildApp } from '../app.js';
import type { DbHandle } from '../db/client.js';
import { ManualClock } from '../lib/clock.js';
import { responses } from '../lib/http.js';
import { AUDIENCES, KeyStore } from '../modules/auth/auth.keys.js';

const clock = new ManualClock('2026-03-01T10:00:00.000Z');
const NOW = Math.floor(clock.now().getTime() / 1000);

let db: DbHandle;
let app: FastifyInstance;
let privateJwk: JWK;
let keys: KeyStore;
type SigningKey = Parameters<SignJWT['sign']>[0];
let signingKey: SigningKey;

beforeAll(async () => {
  db = await createTestDb();
  privateJwk = await KeyStore.generatePrivateJwk();
  keys = await KeyStore.fromJwks('diabetify', privateJwk);
  signingKey = (await importJWK(privateJwk, 'EdDSA')) as SigningKey;
  const built = await buildApp(testConfig(), { db, keys, clock });
  const r = built.withTypeProvider<TypeBoxTypeProvider>();
  const Who = Type.Object({ id: Type.Integer(), kind: Type.String(), roles: Type.Array(Type.String()) });
  const who = async (request: { principal: { id: number; kind: string; roles: readonly string[] } | null }) => ({
    id: request.principal?.id ?? 0,
    kind: request.principal?.kind ?? 'none',
    roles: [...(request.principal?.roles ?? [])],
  });
  const schema = { response: responses({ 200: Who }) };
  r.get('/v1/test/admin', { config: { auth: { audience: 'backoffice', roles: ['admin'] } }, schema }, who);
  r.get('/v1/test/any-admin', { config: { auth: { audience: 'any', roles: ['admin'] } }, schema }, who);
  r.get('/v1/test/app', { config: { auth: { audience: 'app' } }, schema }, who);
  r.post(
    '/v1/test/admin-items',
    {
      config: { auth: { audience: 'backoffice', roles: ['admin'] } },
      schema: { body: Type.Object({ name: Type.String({ minLength: 3 }) }), response: responses({ 201: Who }) },
    },
    async (request, reply) => reply.status(201).send(await who(request)),
  );
  await built.ready();
  app = built;
  liveSessionId = await ensureSession(app, 'staff', 1, new Date(NOW * 1000));
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

let liveSessionId = '';

/** Valid staff admin claims at NOW; override or delete (`undefined`) any of them. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: 'diabetify',
    aud: AUDIENCES.backoffice,
    sub: 'staff:1',
    jti: randomUUID(),
    iat: NOW,
    nbf: NOW,
    exp: NOW + 900,
    roles: ['admin'],
    sid: liveSessionId,
    ...overrides,
  };
  for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
  return base;
}

function craft(
  payload: Record<string, unknown> = claims(),
  header: Record<string, unknown> = {},
  key: SigningKey = signingKey,
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.currentKid, typ: 'at+jwt', ...header } as { alg: string })
    .sign(key);
}

const get = (url: string, authorization?: string) =>
  app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

function expectUnauthorized(res: Awaited<ReturnType<typeof get>>) {
  expect(res.statusCode).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['www-authenticate']).toBe('Bearer');
  const body = res.json();
  expect(body).toMatchObject({ status: 401, title: 'Unauthorized', requestId: res.headers['x-request-id'] });
  expect(['unauthorized', 'invalid_token']).toContain(body.code);
  expect(res.body).not.toMatch(/JWS|JWT|jose|signature|claim/i);
}

describe('access tokens on a route requiring admin', () => {
  it('a valid admin token → 200 with the principal', async () => {
    const res = await get('/v1/test/admin', `Bearer ${await craft()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 1, kind: 'staff', roles: ['admin'] });
  });

  it('a token minted by the KeyStore → 200', async () => {
    const token = await tokenFor(app, { kind: 'staff', id: 7, roles: ['admin'] });
    expect((await get('/v1/test/admin', `Bearer ${token}`)).json()).toEqual({ id: 7, kind: 'staff', roles: ['admin'] });
  });

  it('no token → 401 with WWW-Authenticate', async () => {
    const res = await get('/v1/test/admin');
    expectUnauthorized(res);
    expect(res.json().code).toBe('unauthorized');
  });

  it.each([
    ['garbage', 'Bearer garbage'],
    ['three garbage segments', 'Bearer aaa.bbb.ccc'],
    ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ['an empty bearer', 'Bearer '],
  ])('%s → 401', async (_what, authorization) => {
    expectUnauthorized(await get('/v1/test/admin', authorization));
  });

  it.each(['none', 'None', 'NONE'])('alg %s → 401 (JW-1)', async (alg) => {
    const unsigned = new UnsecuredJWT(claims()).encode();
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${unsigned}`));
    const [, payload] = unsigned.split('.');
    const header = base64url.encode(JSON.stringify({ alg, kid: keys.currentKid, typ: 'at+jwt' }));
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${header}.${payload}.c2ln`));
  });

  it('an empty signature on a real token → 401 (JW-1)', async () => {
    const [h, p] = (await craft()).split('.');
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${h}.${p}.`));
  });

  it('HS256 HMAC-signed with the public key → 401 (JW-2)', async () => {
    const publicJwk = keys.jwks().keys[0] as JWK;
    const publicKey = await importJWK(publicJwk, 'EdDSA', { extractable: true });
    const secrets = [
      new TextEncoder().encode(JSON.stringify(publicJwk)),
      base64url.decode(publicJwk.x as string),
      new TextEncoder().encode(await exportSPKI(publicKey as CryptoKey)),
    ];
    for (const secret of secrets) {
      const token = await craft(claims(), { alg: 'HS256' }, secret);
      expectUnauthorized(await get('/v1/test/admin', `Bearer ${token}`));
    }
  });

  it('a foreign Ed25519 key → 401, with our kid, an unknown kid, no kid or an embedded jwk (JW-3)', async () => {
    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const embedded = { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } };
    for (const header of [{}, { kid: 'someone-else' }, { kid: undefined }, embedded, { kid: '../../dev/null' }]) {
      const token = await craft(claims(), header, foreign.privateKey);
      expectUnauthorized(await get('/v1/test/admin', `Bearer ${token}`));
    }
  });

  it('a tampered payload with the original signature → 401 (JW-4)', async () => {
    const [h, , s] = (await craft(claims({ sub: 'staff:2', roles: ['clinician'] }))).split('.');
    const forged = base64url.encode(JSON.stringify(claims({ sub: 'staff:2', roles: ['admin'] })));
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${h}.${forged}.${s}`));
  });

  it('a patient token on a staff route → 401 (wrong audience, JW-6)', async () => {
    const token = await craft(claims({ aud: AUDIENCES.app, sub: 'patient:10', roles: ['patient', 'admin'] }));
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${token}`));
  });

  it.each([
    ['a wrong issuer', { iss: 'someone-else' }],
    ['an unknown audience', { aud: 'diabetify-refresh' }],
    ['a malformed subject', { sub: 'admin' }],
    ['a zero subject id', { sub: 'staff:0' }],
    ['an unknown subject kind', { sub: 'robot:1' }],
  ])('%s → 401 (JW-6)', async (_what, overrides) => {
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${await craft(claims(overrides))}`));
  });

  it.each([['JWT'], ['refresh+jwt'], [undefined]])('typ %s → 401 (JW-6)', async (typ) => {
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${await craft(claims(), { typ })}`));
  });

  it.each(['exp', 'iat', 'sub', 'jti', 'iss', 'aud'])('a token without %s → 401', async (claim) => {
    expectUnauthorized(await get('/v1/test/admin', `Bearer ${await craft(claims({ [claim]: undefined }))}`));
  });

  it.each([
    ['expired 10 s ago', { exp: NOW - 10 }, 200],
    ['expired 29 s ago', { exp: NOW - 29 }, 200],
    ['expired 31 s ago', { exp: NOW - 31 }, 401],
    ['expired 1 h ago', { iat: NOW - 4500, nbf: NOW - 4500, exp: NOW - 3600 }, 401],
    ['not valid for another 10 s', { nbf: NOW + 10 }, 200],
    ['not valid for another 5 min', { nbf: NOW + 300 }, 401],
  ])('a token %s → %i (JW-5, tolerance 30 s)', async (_what, overrides, status) => {
    const res = await get('/v1/test/admin', `Bearer ${await craft(claims(overrides))}`);
    if (status === 401) expectUnauthorized(res);
    else expect(res.statusCode).toBe(status);
  });
});

describe('roles (AZ-7)', () => {
  it('a patient token on an admin route of any audience → 403 problem, audited', async () => {
    const token = await craft(claims({ aud: AUDIENCES.app, sub: 'patient:10', roles: ['patient'] }));
    const res = await get('/v1/test/any-admin', `Bearer ${token}`);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 403, code: 'forbidden', requestId: res.headers['x-request-id'] });
    const { rows } = await app.audit.list({ action: 'access.denied', actorId: 10 }, undefined, 10);
    const forRoute = rows.filter((r) => r.resourceId === 'GET /v1/test/any-admin');
    expect(forRoute).toHaveLength(1);
    expect(forRoute[0]?.details).toMatchObject({ reason: 'role' });
    expect(forRoute[0]).toMatchObject({
      actorRole: 'patient',
      outcome: 'denied',
      resourceId: 'GET /v1/test/any-admin',
      requestId: res.headers['x-request-id'],
    });
  });

  it('a clinician token on an admin route → 403', async () => {
    const token = await craft(claims({ sub: 'staff:2', roles: ['clinician'] }));
    expect((await get('/v1/test/admin', `Bearer ${token}`)).statusCode).toBe(403);
  });

  it('unknown roles in a token grant nothing: a token with no known role is not ours', async () => {
    const token = await craft(claims({ sub: 'staff:3', roles: ['superuser', 'ADMIN'] }));
    expect((await get('/v1/test/admin', `Bearer ${token}`)).statusCode).toBe(401);
  });

  it('an app route takes patient tokens and refuses staff tokens', async () => {
    const patientToken = await craft(claims({ aud: AUDIENCES.app, sub: 'patient:10', roles: ['patient'] }));
    expect((await get('/v1/test/app', `Bearer ${patientToken}`)).json()).toEqual({
      id: 10,
      kind: 'patient',
      roles: ['patient'],
    });
    expectUnauthorized(await get('/v1/test/app', `Bearer ${await craft()}`));
  });
});

describe('authentication runs before validation (AU-10)', () => {
  const post = (payload: string, authorization?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/test/admin-items',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      payload,
    });

  it.each([
    ['an invalid body', '{"name":1,"extra":true}'],
    ['malformed JSON', '{"name":'],
  ])('no token plus %s → 401, not 400', async (_what, payload) => {
    expectUnauthorized(await post(payload));
    expectUnauthorized(await post(payload, 'Bearer aaa.bbb.ccc'));
  });

  it('a valid token plus an invalid body → 400; plus a valid body → 201', async () => {
    const authorization = `Bearer ${await craft()}`;
    expect((await post('{"name":1}', authorization)).statusCode).toBe(400);
    expect((await post('{"name":"abc"}', authorization)).statusCode).toBe(201);
  });
});

describe('route policy declaration (AU-9)', () => {
  it('registering a /v1 route without config.auth throws', async () => {
    const fresh = await buildApp(testConfig(), { db, keys, clock });
    try {
      expect(() => fresh.get('/v1/test/forgotten', async () => ({}))).toThrow(/declares no auth policy/);
      // Routes outside /v1 (health, metrics, legacy) are exempt.
      expect(() => fresh.get('/test/outside', async () => ({}))).not.toThrow();
    } finally {
      await fresh.close();
    }
  });

  it('a plugin registering a prefixed /v1 route without a policy fails ready()', async () => {
    const fresh = await buildApp(testConfig(), { db, keys, clock });
    fresh.register(
      async (scope) => {
        scope.get('/list', async () => []);
      },
      { prefix: '/v1/things' },
    );
    await expect(fresh.ready()).rejects.toThrow(/GET \/v1\/things\/list declares no auth policy/);
    await fresh.close();
  });
});
