/** Signing keys, rotation and the JWKS endpoint. */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type CryptoKey, exportPKCS8, exportSPKI, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestDb, ensureSession, testConfig } from '../../../test/build-test-app.js';
import { buildApp } from '../../app.js';
import { loadConfig } from '../../config/index.js';
import type { DbHandle } from '../../db/client.js';
import { ACCESS_TOKEN_TTL_SECONDS, AUDIENCES, CLOCK_TOLERANCE_SECONDS, KeyStore } from './auth.keys.js';

const NOW = new Date('2026-04-01T09:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

const publicOf = ({ d: _d, ...pub }: JWK): JWK => pub;

const claims = (subject = 'staff:1') => ({
  subject,
  audience: AUDIENCES.backoffice,
  roles: ['admin'],
  sessionId: 'sess-1',
  tokenId: 'tok-1',
});

let oldJwk: JWK;
let newJwk: JWK;
beforeAll(async () => {
  [oldJwk, newJwk] = await Promise.all([KeyStore.generatePrivateJwk(), KeyStore.generatePrivateJwk()]);
});

describe('KeyStore', () => {
  it('signs access tokens that it verifies, with the documented claims', async () => {
    const store = await KeyStore.fromJwks('diabetify', newJwk);
    const token = await store.sign(claims(), NOW_S, 3600);
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString())).toEqual({
      alg: 'EdDSA',
      kid: store.currentKid,
      typ: 'at+jwt',
    });
    const verified = await store.verify(token, [AUDIENCES.backoffice], NOW);
    expect(verified).toEqual({ ...claims(), amr: [], expiresAt: NOW_S + ACCESS_TOKEN_TTL_SECONDS });
    // The TTL is capped at 15 minutes whatever the caller asks (JW-7).
    expect(ACCESS_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(900);
    await expect(store.verify(token, [AUDIENCES.app], NOW)).rejects.toThrow();
  });

  it('a shorter configured lifetime (ACCESS_TOKEN_TTL_SECONDS) shortens the tokens; a token is refused once it has passed', async () => {
    const store = await KeyStore.fromJwks('diabetify', newJwk, [], 20);
    expect(store.accessTtlSeconds).toBe(20);
    const token = await store.sign(claims(), NOW_S);
    expect((await store.verify(token, [AUDIENCES.backoffice], NOW)).expiresAt).toBe(NOW_S + 20);
    const later = new Date((NOW_S + 20 + CLOCK_TOLERANCE_SECONDS + 1) * 1000);
    await expect(store.verify(token, [AUDIENCES.backoffice], later)).rejects.toThrow();
    // It can only shorten: a longer configured value is capped at the 15-minute maximum.
    expect((await KeyStore.fromJwks('diabetify', newJwk, [], 7200)).accessTtlSeconds).toBe(ACCESS_TOKEN_TTL_SECONDS);
  });

  it('publishes only public keys', async () => {
    const store = await KeyStore.fromJwks('diabetify', newJwk);
    const { keys } = store.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({ ...publicOf(newJwk), kid: store.currentKid, alg: 'EdDSA', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('after rotation, a token signed by the previous key still verifies and both keys are published', async () => {
    const before = await KeyStore.fromJwks('diabetify', oldJwk);
    const oldToken = await before.sign(claims('staff:5'), NOW_S);
    const after = await KeyStore.fromJwks('diabetify', newJwk, [publicOf(oldJwk)]);
    expect((await after.verify(oldToken, [AUDIENCES.backoffice], NOW)).subject).toBe('staff:5');
    expect(after.jwks().keys.map((k) => k.kid)).toEqual([after.currentKid, before.currentKid]);
    // Without the previous key the old token is refused.
    const forgetful = await KeyStore.fromJwks('diabetify', newJwk);
    await expect(forgetful.verify(oldToken, [AUDIENCES.backoffice], NOW)).rejects.toThrow();
  });

  it('loads JWT_PRIVATE_KEY and JWT_PREVIOUS_PUBLIC_KEYS as JWK JSON from config', async () => {
    const config = loadConfig({
      JWT_PRIVATE_KEY: JSON.stringify(newJwk),
      JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify([publicOf(oldJwk)]),
    });
    const store = await KeyStore.load(config);
    const oldToken = await (await KeyStore.fromJwks('diabetify', oldJwk)).sign(claims(), NOW_S);
    expect((await store.verify(oldToken, [AUDIENCES.backoffice], NOW)).subject).toBe('staff:1');
    expect(store.jwks().keys).toHaveLength(2);
  });

  it('loads PEM keys too (PKCS#8 private, SPKI previous, escaped newlines as in .env files)', async () => {
    const privatePem = await exportPKCS8((await importJWK(newJwk, 'EdDSA', { extractable: true })) as CryptoKey);
    const oldPublicPem = await exportSPKI(
      (await importJWK(publicOf(oldJwk), 'EdDSA', { extractable: true })) as CryptoKey,
    );
    const config = loadConfig({
      JWT_PRIVATE_KEY: privatePem.trim().replace(/\n/g, '\\n'),
      JWT_PREVIOUS_PUBLIC_KEYS: oldPublicPem,
    });
    const store = await KeyStore.load(config);
    const reference = await KeyStore.fromJwks('diabetify', newJwk, [publicOf(oldJwk)]);
    expect(store.jwks()).toEqual(reference.jwks());
  });

  it('in development, generates a key once in DATA_DIR and reloads the same kid', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'diabetify-keys-'));
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
    const first = await KeyStore.load(config);
    const file = path.join(dataDir, 'keys', 'jwt-ed25519.jwk.json');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('d');
    const second = await KeyStore.load(config);
    expect(second.currentKid).toBe(first.currentKid);
    const token = await first.sign(claims(), NOW_S);
    expect((await second.verify(token, [AUDIENCES.backoffice], NOW)).subject).toBe('staff:1');
    // Another data folder means another key.
    const elsewhere = await KeyStore.load(
      loadConfig({ DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'diabetify-keys-')) }),
    );
    expect(elsewhere.currentKid).not.toBe(first.currentKid);
  });

  it.each([
    ['a public key', () => publicOf(newJwk)],
    ['another curve', () => ({ ...newJwk, crv: 'X25519' })],
    ['an HMAC secret', () => ({ kty: 'oct', k: 'c2VjcmV0' })],
  ])('refuses %s as the signing key at startup', async (_what, jwk) => {
    await expect(KeyStore.fromJwks('diabetify', jwk())).rejects.toThrow(/Ed25519 private key/);
    await expect(KeyStore.load(loadConfig({ JWT_PRIVATE_KEY: JSON.stringify(jwk()) }))).rejects.toThrow(
      /Ed25519 private key/,
    );
  });

  it('never generates a key in production', async () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_PRIVATE_KEY: 'x'.repeat(64),
      DATABASE_URL: 'postgres://diabetify:Xy7-long-unique-pw@db.internal/diabetify',
      PUBLIC_WEB_ORIGIN: 'https://clinic.example',
      TOKEN_HMAC_SECRET: Buffer.alloc(32, 1).toString('base64'),
      MFA_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
      SMTP_URL: 'smtp://mail.internal:587',
    });
    const withoutKey = { ...config, auth: { ...config.auth, privateKey: undefined } };
    await expect(KeyStore.load(withoutKey)).rejects.toThrow(/JWT_PRIVATE_KEY is required/);
  });
});

describe('GET /.well-known/jwks.json', () => {
  let db: DbHandle;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDb();
    // No `keys` option: the app loads them from config, as in production.
    const config = testConfig({
      JWT_PRIVATE_KEY: JSON.stringify(newJwk),
      JWT_PREVIOUS_PUBLIC_KEYS: JSON.stringify([publicOf(oldJwk)]),
    });
    app = await buildApp(config, { db });
    app.get('/v1/test/me', { config: { auth: { audience: 'backoffice' } } }, async (request) => ({
      sub: request.principal?.id,
    }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('serves the current and previous public keys, no private part, cacheable', async () => {
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = res.json() as { keys: JWK[] };
    expect(keys).toHaveLength(2);
    expect(keys[0]?.kid).toBe(app.keys.currentKid);
    expect(keys.map((k) => k.x)).toEqual([newJwk.x, oldJwk.x]);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    }
    expect(res.body).not.toContain(newJwk.d as string);
    expect(res.body).not.toContain('"d"');
  });

  it('a token signed by the previous key is still accepted after rotation', async () => {
    const old = await KeyStore.fromJwks('diabetify', oldJwk);
    const sessionId = await ensureSession(app, 'staff', 9, new Date());
    const token = await old.sign({ ...claims('staff:9'), sessionId }, Math.floor(Date.now() / 1000));
    const res = await app.inject({ method: 'GET', url: '/v1/test/me', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sub: 9 });
  });

  it('a token signed by a key that is neither current nor previous is refused', async () => {
    const stranger = await KeyStore.fromJwks('diabetify', await KeyStore.generatePrivateJwk());
    const token = await stranger.sign(claims(), Math.floor(Date.now() / 1000));
    const res = await app.inject({ method: 'GET', url: '/v1/test/me', headers: bearer(token) });
    expect(res.statusCode).toBe(401);
  });
});
