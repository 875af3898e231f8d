/**
 * The one test idiom: a test file calls `useTestApp()` once at top level and gets a fresh migrated
 * database and an app built on it for the whole file (closed after its last test), an optional
 * manual clock, `call(who, method, url, payload?)` signed as whoever the test names, and
 * `auditOf(response)` — the audit rows written by exactly that request.
 *
 * `app` and `db` exist only once `beforeAll` has run, so they are read through the returned object
 * (`t.app`, `t.db`) inside hooks and tests, never captured at module level.
 */
import { and, asc, desc, eq, type SQL } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { DbHandle } from '../src/db/client.js';
import { auditEvents } from '../src/db/schema/index.js';
import { ManualClock } from '../src/lib/clock.js';
import type { DomainEvent } from '../src/lib/event-bus.js';
import { bearer, buildTestApp, createTestDb, type TestAppOptions, type TokenFor, tokenFor } from './build-test-app.js';
import { createStaff } from './factories.js';

const STAFF_ROLES = ['admin', 'assistant', 'clinician'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/**
 * Who signs a request: a staff role (one real staff member per role and app), a patient id, an
 * explicit token description (fixed ids, audiences, lifetimes), nobody, or any other string sent
 * as the bearer credential as it is: a device key (`dk_…`) or a token the test already holds.
 */
export type Who = StaffRole | number | TokenFor | null | (string & {});
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
/** A request as tests write it: who signs, method, URL, then the optional body and extra headers. */
export type Request = [who: Who, method: Method, url: string, payload?: unknown, headers?: Record<string, string>];
export type AuditRow = typeof auditEvents.$inferSelect;

export interface AuditFilter {
  action?: string;
  patientId?: number;
  actorId?: number;
  resourceId?: string | number;
}

export interface UseTestAppOptions extends Omit<TestAppOptions, 'db' | 'clock' | 'env'> {
  /** A manual clock the app reads: an instant to start at, or a clock the file already holds. */
  clock?: ManualClock | Date | string;
  /** Config overrides; a function when they are known only after earlier hooks ran (e.g. a port). */
  env?: Record<string, string | undefined> | (() => Record<string, string | undefined>);
  /** false: the database only (repository and SQL tests, files that start their own servers). */
  app?: boolean;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: DbHandle;
  /** The manual clock; throws when the file did not ask for one (the app then reads real time). */
  readonly clock: ManualClock;
  headers(who: Who): Promise<Record<string, string>>;
  call(...request: Request): Promise<LightMyRequestResponse>;
  /**
   * The same request sent to another app of this file (`extraApp`, a legacy app built on this
   * one), signed by this file's app: they share keys and database.
   */
  callOn(app: FastifyInstance, ...request: Request): Promise<LightMyRequestResponse>;
  /** The audit rows of one request: its response, or the X-Request-Id the test sent. */
  auditOf(res: LightMyRequestResponse | { headers: Record<string, unknown> } | string): Promise<AuditRow[]>;
  /** Audit rows matching every given column, oldest first (or newest first). */
  auditWhere(filter: AuditFilter, order?: 'oldest first' | 'newest first'): Promise<AuditRow[]>;
  /** Another app on the same database (other config, a second instance); closed with the file. */
  extraApp(options?: Omit<TestAppOptions, 'db'>): Promise<FastifyInstance>;
}

const staffIds = new WeakMap<FastifyInstance, Partial<Record<StaffRole, number>>>();

/** Headers that sign a request to `app` as `who` (see `Who`). */
export async function headersFor(app: FastifyInstance, who: Who): Promise<Record<string, string>> {
  if (who === null) return {};
  if (typeof who === 'number') return bearer(await tokenFor(app, { kind: 'patient', id: who, roles: ['patient'] }));
  if (typeof who === 'object') return bearer(await tokenFor(app, who));
  if (!STAFF_ROLES.includes(who as StaffRole)) return bearer(who);
  const role = who as StaffRole;
  let ids = staffIds.get(app);
  if (!ids) {
    ids = {};
    staffIds.set(app, ids);
  }
  ids[role] ??= (await createStaff(app.db.db, { roles: [role], password: null })).id;
  const id = ids[role];
  return bearer(await tokenFor(app, { kind: 'staff', id, roles: [role] }));
}

/** One request to `target` through `inject`, signed as `who` by `signer` (default: `target`). */
export async function callAs(
  target: FastifyInstance,
  [who, method, url, payload, headers = {}]: Request,
  signer: FastifyInstance = target,
): Promise<LightMyRequestResponse> {
  return target.inject({
    method,
    url,
    headers: { ...(await headersFor(signer, who)), ...headers },
    ...(payload === undefined ? {} : { payload: payload as string | object }),
  });
}

/** The audit rows written under one request id (every response carries X-Request-Id). */
export function auditRowsOf(
  db: DbHandle,
  res: LightMyRequestResponse | { headers: Record<string, unknown> } | string,
): Promise<AuditRow[]> {
  const requestId = typeof res === 'string' ? res : String(res.headers['x-request-id']);
  return db.db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId));
}

export function auditRowsWhere(
  db: DbHandle,
  filter: AuditFilter,
  order: 'oldest first' | 'newest first' = 'oldest first',
): Promise<AuditRow[]> {
  const conditions: SQL[] = [];
  if (filter.action !== undefined) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.patientId !== undefined) conditions.push(eq(auditEvents.patientId, filter.patientId));
  if (filter.actorId !== undefined) conditions.push(eq(auditEvents.actorId, filter.actorId));
  if (filter.resourceId !== undefined) conditions.push(eq(auditEvents.resourceId, String(filter.resourceId)));
  return db.db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(order === 'oldest first' ? asc(auditEvents.id) : desc(auditEvents.id));
}

/**
 * Resolves with the next `topic`/`type` event `app`'s bus delivers: a barrier for effects that
 * travel by event (cache evictions across instances, over Redis), instead of polling against a
 * stopwatch. Subscribe before the action that publishes it.
 */
export function nextEvent(app: FastifyInstance, topic: string, type: string): Promise<DomainEvent> {
  return new Promise((resolve) => {
    const off = app.events.bus.subscribe((event) => {
      if (event.topic === topic && event.type === type) {
        off();
        resolve(event);
      }
    });
  });
}

export function useTestApp(options: UseTestAppOptions = {}): TestApp {
  const { clock: clockOption, env, app: withApp = true, ...build } = options;
  const clock =
    clockOption === undefined || clockOption instanceof ManualClock ? clockOption : new ManualClock(clockOption);
  let app: FastifyInstance | undefined;
  let db: DbHandle | undefined;
  const extras: FastifyInstance[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useTestApp: ${what} is read before beforeAll ran`);
    return value;
  };

  beforeAll(async () => {
    db = await createTestDb();
    if (withApp) app = await buildTestApp({ db, clock, env: typeof env === 'function' ? env() : env, ...build });
  });
  afterAll(async () => {
    // Extra apps first: they share the database, which must outlive every app on it.
    for (const extra of extras.splice(0)) await extra.close();
    await app?.close();
    await db?.close();
  });

  return {
    get app() {
      return ready(app, 'app');
    },
    get db() {
      return ready(db, 'db');
    },
    get clock() {
      return ready(clock, 'clock (pass `clock` to useTestApp)');
    },
    headers: (who) => headersFor(ready(app, 'app'), who),
    call: (...request) => callAs(ready(app, 'app'), request),
    callOn: (target, ...request) => callAs(target, request, ready(app, 'app')),
    auditOf: (res) => auditRowsOf(ready(db, 'db'), res),
    auditWhere: (filter, order) => auditRowsWhere(ready(db, 'db'), filter, order),
    async extraApp(more = {}) {
      const extra = await buildTestApp({ clock, ...build, ...more, db: ready(db, 'db') });
      extras.push(extra);
      return extra;
    },
  };
}
