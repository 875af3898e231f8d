/**
 * Shared test helpers: a fresh migrated database per test file (PGlite, or a real PostgreSQL
 * database when TEST_DATABASE_URL is set), an app built on it with `app.inject()`, and signed
 * access tokens for any principal.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { type BuildOptions, buildApp, createRedis } from '../src/app.js';
import { type Config, loadConfig, testEnv } from '../src/config/index.js';
import { createPgliteHandle, createPostgresHandle, type DbHandle } from '../src/db/client.js';
import { sessions } from '../src/db/schema/index.js';
import type { Clock } from '../src/lib/clock.js';
import type { PrincipalKind, Role } from '../src/lib/principal.js';
import { AUDIENCES, KeyStore } from '../src/modules/auth/auth.keys.js';
import { credentialOf } from '../src/modules/auth/auth.repository.js';
import { testSecrets } from '../src/modules/auth/auth.secrets.js';
import { databaseUrlFor, onServer } from './global-setup.js';

export const usingPostgres = Boolean(testEnv.databaseUrl);
export const usingRedis = Boolean(testEnv.redisUrl);

/** A fresh, migrated database for one test file. Close it in afterAll. */
export async function createTestDb(): Promise<DbHandle> {
  const template = inject('pgTemplateDatabase');
  if (testEnv.databaseUrl && template) {
    const name = `diabetify_t_${template.replace('diabetify_tpl_', '')}_${randomBytes(4).toString('hex')}`;
    const server = testEnv.databaseUrl;
    await onServer(server, `CREATE DATABASE ${name} TEMPLATE ${template}`);
    const handle = createPostgresHandle({
      url: databaseUrlFor(testEnv.databaseUrl, name),
      poolMax: 10,
      connectTimeoutMs: 3000,
      statementTimeoutMs: 20000,
    });
    const close = handle.close.bind(handle);
    return Object.assign(handle, {
      async close() {
        await close();
        await onServer(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    });
  }
  const dump = readFileSync(inject('pgliteTemplate'));
  const client = await PGlite.create({ loadDataDir: new Blob([dump]) });
  return createPgliteHandle(client);
}

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'diabetify-test-')),
    RATE_LIMIT_MAX: '100000',
    DATABASE_URL: testEnv.databaseUrl,
    REDIS_URL: testEnv.redisUrl,
    // Each app gets its own key space so rate-limit counters and channels never leak between tests.
    REDIS_KEY_PREFIX: `diabetify:test:${randomBytes(6).toString('hex')}:`,
    ...overrides,
  });
}

const sharedSecrets = testSecrets();
let sharedKeys: Promise<KeyStore> | undefined;
/** One signing key per test file: generating Ed25519 keys is cheap, but there is no need. */
export function testKeys(): Promise<KeyStore> {
  sharedKeys ??= KeyStore.generatePrivateJwk().then((jwk) => KeyStore.fromJwks('diabetify', jwk));
  return sharedKeys;
}

/** Log lines captured in memory, for redaction tests. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestAppOptions extends BuildOptions {
  db: DbHandle;
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Runs on the built app before it is made ready: routes a test stands in for, extra hooks. */
  prepare?: (app: FastifyInstance) => void | Promise<void>;
}

/** Builds the app on `db`. Redis is connected when TEST_REDIS_URL is set. Close with `app.close()`. */
export async function buildTestApp(options: TestAppOptions): Promise<FastifyInstance> {
  const config = testConfig(options.env);
  let redis: Redis | null = null;
  if (config.redis) {
    redis = createRedis(config.redis);
    await redis.connect();
  }
  const { prepare, ...build } = options;
  const app = await buildApp(config, { keys: await testKeys(), secrets: sharedSecrets, redis, ...build });
  if (redis) {
    const r = redis;
    app.addHook('onClose', async () => {
      r.disconnect();
    });
  }
  await prepare?.(app);
  await app.ready();
  return app;
}

export interface TokenFor {
  kind: PrincipalKind;
  id: number;
  roles: Role[];
  audience?: 'app' | 'backoffice';
  ttlSeconds?: number;
  /** Signing time; default the app clock. */
  at?: Date;
}

/**
 * A signed access token for `who`, backed by a real session (the auth hook checks it is live):
 * the person, their credential and a session row are created when missing. Explicit ids are
 * inserted with OVERRIDING SYSTEM VALUE and the identity sequence moved past them.
 */
export async function tokenFor(app: FastifyInstance, who: TokenFor): Promise<string> {
  const audience = who.audience ?? (who.kind === 'staff' ? 'backoffice' : 'app');
  const at = who.at ?? app.clock.now();
  const sessionId = who.kind === 'device' ? null : await ensureSession(app, who.kind, who.id, at);
  return app.keys.sign(
    {
      subject: `${who.kind}:${who.id}`,
      audience: AUDIENCES[audience],
      roles: who.roles,
      sessionId,
      tokenId: randomUUID(),
      amr: ['pwd'],
    },
    Math.floor(at.getTime() / 1000),
    who.ttlSeconds,
  );
}

export async function ensureSession(
  app: FastifyInstance,
  kind: 'patient' | 'staff',
  id: number,
  at: Date,
): Promise<string> {
  const db = app.db.db;
  if (kind === 'patient') {
    await db.execute(sql`insert into patients (id, dni, email, name, surname) overriding system value
      values (${id}, ${`9${String(id).padStart(7, '0')}`}, ${`token-patient-${id}@patients.example`}, 'Token', 'Patient')
      on conflict do nothing`);
    await db.execute(sql`select setval(pg_get_serial_sequence('patients', 'id'), (select max(id) from patients))`);
    await db.execute(sql`insert into credentials (patient_id) values (${id}) on conflict do nothing`);
  } else {
    await db.execute(sql`insert into staff (id, username, email, name, roles) overriding system value
      values (${id}, ${`token-staff-${id}`}, ${`token-staff-${id}@clinic.example`}, 'Token Staff', array['admin'])
      on conflict do nothing`);
    await db.execute(sql`select setval(pg_get_serial_sequence('staff', 'id'), (select max(id) from staff))`);
    await db.execute(sql`insert into credentials (staff_id) values (${id}) on conflict do nothing`);
  }
  const credential = await credentialOf(db, kind, id);
  if (!credential) throw new Error('test credential missing');
  const sessionId = randomUUID();
  await db.insert(sessions).values({
    id: sessionId,
    credentialId: credential.id,
    audience: kind === 'staff' ? AUDIENCES.backoffice : AUDIENCES.app,
    createdAt: at,
    lastUsedAt: at,
    expiresAt: new Date(at.getTime() + 30 * 86_400_000),
  });
  return sessionId;
}

export const admin = (id = 1): TokenFor => ({ kind: 'staff', id, roles: ['admin'] });
export const clinician = (id = 2): TokenFor => ({ kind: 'staff', id, roles: ['clinician'] });
export const patient = (id = 10): TokenFor => ({ kind: 'patient', id, roles: ['patient'] });

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export { Redis };
