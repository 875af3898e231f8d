/**
 * Harness of the legacy contract suite (legacy-compat.md, issue 5 item 7).
 *
 * Set-up may call functions (start the server with both legacy listeners on ephemeral ports, seed
 * the old demo fixtures); everything a test ASSERTS goes over HTTP to the two listeners, the way the
 * mobile app (gateway) and the React admin / operators' scripts (back-office) talk to them.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import type { DbHandle } from '../../src/db/client.js';
import type { Clock } from '../../src/lib/clock.js';
import { testSecrets } from '../../src/modules/auth/auth.secrets.js';
import { seedLegacyDemo } from '../../src/modules/legacy/legacy.seed-demo.js';
import { createMemoryMailer } from '../../src/modules/notifications/mailer.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { createTestDb, testConfig, testKeys } from '../build-test-app.js';

// Wire bodies are checked field by field with expect(); a static type would only restate them.
// biome-ignore lint/suspicious/noExplicitAny: JSON from the wire
export type Wire = any;

export * from './forms.js';
export * from './shapes.js';

export const ALLOWED_ORIGIN = 'http://backoffice.contract.example';

const ART_OFFSET_MS = 3 * 3_600_000;

export function argentinaWallClock(at: Date | string): string {
  const d = new Date(new Date(at).getTime() - ART_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** The instant a legacy `DD/MM/YYYY HH:MM:SS` string denotes (as the app's mapper reads it, `-03:00`). */
export function parseLegacyDate(value: string): number {
  const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/.exec(value);
  if (!m) throw new Error(`not a legacy date: ${value}`);
  const [, dd, mm, yyyy, hh, mi, ss] = m.map(Number) as number[];
  return Date.UTC(yyyy as number, (mm as number) - 1, dd, hh, mi, ss) + ART_OFFSET_MS;
}

/** Real time plus an offset a test can move forward (token expiry); the server reads it as its clock. */
export interface ShiftClock extends Clock {
  advance(ms: number): void;
}

/**
 * Starts 45 minutes ahead when the clinic's day ends within the next 45 minutes, so "four
 * readings today" never straddles midnight in Argentina during a run.
 */
function contractClock(): ShiftClock {
  const artMinutes = ((Math.floor((Date.now() - ART_OFFSET_MS) / 60_000) % 1440) + 1440) % 1440;
  let offset = artMinutes >= 23 * 60 + 15 ? 45 * 60_000 : 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms: number) {
      offset += ms;
    },
  };
}

export interface LegacyHarness {
  gateway: string;
  backoffice: string;
  mailer: ReturnType<typeof createMemoryMailer>;
  clock: ShiftClock;
  server: RunningServer;
  close(): Promise<void>;
}

/** One server per test file: both legacy listeners on ephemeral ports, fresh database, demo fixtures. */
export async function startLegacy(env: Record<string, string> = {}): Promise<LegacyHarness> {
  const db: DbHandle = await createTestDb();
  const mailer = createMemoryMailer();
  const clock = contractClock();
  const config = testConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LEGACY_GATEWAY_PORT: '0',
    LEGACY_BACKOFFICE_PORT: '0',
    LEGACY_BACKOFFICE_CORS_ORIGINS: ALLOWED_ORIGIN,
    CLINIC_TIMEZONE: 'America/Argentina/Buenos_Aires',
    // Every test logs in over HTTP from 127.0.0.1; the throttles are tested elsewhere.
    LOGIN_MAX_PER_IP_PER_MIN: '100000',
    LOGIN_MAX_FAILURES: '100',
    ...env,
  });
  const server = await startServer(config, {
    db,
    clock,
    keys: await testKeys(),
    secrets: testSecrets(),
    mailer,
    signals: [],
    exit: () => {},
  });
  const legacy = server.legacy;
  if (!legacy.gateway || !legacy.backoffice) {
    await server.shutdown('legacy listeners missing');
    await db.close();
    throw new Error('startServer did not open both legacy listeners (RunningServer.legacy)');
  }
  await seedLegacyDemo(server.app.db.db, { clock, production: false });
  return {
    gateway: legacy.gateway,
    backoffice: legacy.backoffice,
    mailer,
    clock,
    server,
    async close() {
      await server.shutdown('contract suite done');
      await db.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Wire;
  text: string;
}

export interface CallOptions {
  token?: string;
  /** application/x-www-form-urlencoded (only /token uses it). */
  form?: Record<string, string>;
  json?: unknown;
  /** `Content-Type: application/json` with no body, as the app sends /glucose/create and /appointments/submit. */
  emptyJson?: boolean;
  headers?: Record<string, string>;
}

let requestCounter = 0;

/** One request the way the app sends it (X-Request-Id always), never following redirects. */
export async function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  requestCounter += 1;
  const headers: Record<string, string> = { 'x-request-id': `contract-${process.pid}-${requestCounter}` };
  let body: string | undefined;
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.emptyJson) {
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, opts.headers);
  const res = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: Wire = text;
  if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Asserts `reply` has the given status; on failure the message shows the body, which says why. */
export function expectStatus(reply: Reply, status: number | number[]): void {
  const allowed = [status].flat();
  expect(allowed, `HTTP ${reply.status} ${reply.text.slice(0, 400)}`).toContain(reply.status);
}

/** FastAPI `{"detail": "<message>"}`. */
export function expectDetail(reply: Reply, pattern?: RegExp): void {
  expect(reply.body, reply.text).toEqual({ detail: expect.any(String) });
  if (pattern) expect(reply.body.detail).toMatch(pattern);
}

/** FastAPI 422: `{"detail":[{"loc":[...],"msg":"...","type":"..."}]}`. */
export function expectValidation422(reply: Reply): void {
  expectStatus(reply, 422);
  expect(Array.isArray(reply.body?.detail), reply.text).toBe(true);
  expect(reply.body.detail.length).toBeGreaterThan(0);
  for (const item of reply.body.detail) {
    expect(Array.isArray(item.loc)).toBe(true);
    expect(typeof item.msg).toBe('string');
    expect(typeof item.type).toBe('string');
  }
}

/** 401 + `WWW-Authenticate: Bearer` + `{"detail":"Not authenticated"}` (FastAPI OAuth2PasswordBearer). */
export function expectNotAuthenticated(reply: Reply): void {
  expectStatus(reply, 401);
  expect(reply.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/);
  expect(reply.body).toEqual({ detail: 'Not authenticated' });
}

/** A refused business rule: a 4xx with a FastAPI detail, never 403 (the app logs out) and never 5xx. */
export function expectBusinessError(reply: Reply, pattern: RegExp): void {
  expect(reply.status, reply.text).toBeGreaterThanOrEqual(400);
  expect(reply.status, reply.text).toBeLessThan(500);
  expect(reply.status, reply.text).not.toBe(403);
  expectDetail(reply, pattern);
}

// ---- logins and fixtures, all over HTTP ----

export async function login(base: string, username: string, password: string): Promise<Wire> {
  const reply = await call(base, 'POST', '/token', { form: { username, password } });
  expectStatus(reply, 200);
  return reply.body;
}

export async function patientToken(h: LegacyHarness, dni: string, password: string): Promise<string> {
  return (await login(h.gateway, dni, password)).access_token;
}

export async function adminToken(h: LegacyHarness): Promise<string> {
  return (await login(h.backoffice, 'admin', 'admin')).access_token;
}

export interface LegacySuite extends LegacyHarness {
  /** The demo admin's back-office token, signed in over HTTP. */
  admin: string;
}

/**
 * The contract files' one line of set-up: `const h = useLegacy();` starts the server with the demo
 * admin signed in before the file's first test and shuts it down after its last. The fields are
 * read through `h` (they exist only once beforeAll ran).
 */
export function useLegacy(env: Record<string, string> = {}): LegacySuite {
  let started: LegacyHarness | undefined;
  let admin: string | undefined;
  beforeAll(async () => {
    started = await startLegacy(env);
    admin = await adminToken(started);
  });
  afterAll(() => started?.close());
  const get = <K extends keyof LegacyHarness>(key: K): LegacyHarness[K] => {
    if (!started) throw new Error('useLegacy: read before beforeAll ran');
    return started[key];
  };
  return {
    get gateway() {
      return get('gateway');
    },
    get backoffice() {
      return get('backoffice');
    },
    get mailer() {
      return get('mailer');
    },
    get clock() {
      return get('clock');
    },
    get server() {
      return get('server');
    },
    get admin() {
      if (admin === undefined) throw new Error('useLegacy: read before beforeAll ran');
      return admin;
    },
    /** A test that moves the clock past the token's lifetime signs the admin in again for the next ones. */
    set admin(token: string) {
      admin = token;
    },
    close: () => get('close')(),
  };
}

let uniqueCounter = 0;
export function unique(): string {
  uniqueCounter += 1;
  return `${Date.now() % 1_000_000}${uniqueCounter}${randomBytes(2).toString('hex')}`;
}

export const PATIENT_PASSWORD = 'Glucosa-Contract-2026!';

export interface LegacyPatient {
  dni: string;
  password: string;
  email: string;
  userId: number;
  token: string;
}

/** A new patient created through the back-office (`POST /users/`, itself a contract check), logged in on the gateway. */
export async function newPatient(
  h: LegacyHarness,
  admin: string,
  overrides: Record<string, unknown> = {},
): Promise<LegacyPatient> {
  const u = unique();
  const payload = {
    dni: String(randomInt(30_000_000, 99_999_999)),
    name: 'Contrato',
    surname: 'Prueba',
    email: `contract-${u}@patients.example`,
    password: PATIENT_PASSWORD,
    hospital_account: `HC-${u}`,
    blocked: false,
    tidepool: null,
    ...overrides,
  };
  const created = await call(h.backoffice, 'POST', '/users/', { token: admin, json: payload });
  expectStatus(created, [200, 201]);
  expect(Number.isInteger(created.body.user_id), created.text).toBe(true);
  const token = await patientToken(h, payload.dni, payload.password);
  return { dni: payload.dni, password: payload.password, email: payload.email, userId: created.body.user_id, token };
}

/** The numeric legacy `user_id` of a DNI, from the back-office list. */
export async function userIdOf(h: LegacyHarness, admin: string, dni: string): Promise<number> {
  const list = await call(h.backoffice, 'GET', '/users/', { token: admin });
  expectStatus(list, 200);
  const user = (list.body as Wire[]).find((u) => u.dni === dni);
  if (!user) throw new Error(`DNI ${dni} not in GET /users/`);
  return user.user_id;
}

/** Empties the queue (everyone back to NONE, placements restart at 0), opens it, and sets its size. */
export async function resetQueue(h: LegacyHarness, admin: string, size = 15): Promise<void> {
  expectStatus(await call(h.backoffice, 'DELETE', '/appointments', { token: admin }), 204);
  const open = await call(h.backoffice, 'POST', '/appointments/queue/open', { token: admin });
  expect(open.status, open.text).toBeLessThan(300);
  const sized = await call(h.backoffice, 'POST', `/appointments/queue/size?new_size=${size}`, { token: admin });
  expectStatus(sized, 200);
}

export async function createReading(h: LegacyHarness, token: string, query: Record<string, string>): Promise<Reply> {
  return call(h.gateway, 'POST', `/glucose/create?${new URLSearchParams(query)}`, { token, emptyJson: true });
}

export async function submit(h: LegacyHarness, token: string): Promise<Reply> {
  return call(h.gateway, 'POST', '/appointments/submit', { token, emptyJson: true });
}

/** Brings `p` to ACCEPTED: submit (201 placement) then back-office accept by that placement (201 true). */
export async function acceptedPatient(h: LegacyHarness, admin: string, p: LegacyPatient): Promise<number> {
  const submitted = await submit(h, p.token);
  expectStatus(submitted, 201);
  const accepted = await call(h.backoffice, 'PUT', `/appointments/accept/${submitted.body}`, { token: admin });
  expectStatus(accepted, 201);
  expect(accepted.body).toBe(true);
  return submitted.body;
}
