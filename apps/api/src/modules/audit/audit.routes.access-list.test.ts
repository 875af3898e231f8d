/**
 * The admin audit routes over HTTP (`app.inject`), first half: who may call them (AZ-7, LG-3) and the
 * list with filters and keyset pages (LG-9). Export, verification and the audit rows that reading
 * the trail writes are in audit.routes.export-verify.test.ts.
 */
import { desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, clinician, patient, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { encodeCursor } from '../../lib/cursor.js';
import type { AuditEntry } from './audit.service.js';

const clock = new ManualClock('2026-01-10T00:00:00.000Z');
const T0 = Date.parse('2026-01-10T00:00:00.000Z');
const HOUR = 3_600_000;
const seeded: Record<string, number> = {};

const auth = async (who: TokenFor) => bearer(await tokenFor(api.app, who));
const get = async (url: string, who: TokenFor | null = admin(), headers: Record<string, string> = {}) =>
  api.app.inject({ method: 'GET', url, headers: { ...(who ? await auth(who) : {}), ...headers } });

type Event = { id: number; actor: { id: number | null; role: string }; patientId: number | null; action: string };

function ids(res: LightMyRequestResponse): number[] {
  return (res.json().data as Event[]).map((e) => e.id);
}

/** The audit row a request wrote about itself, found by its request id. */
async function rowOf(res: LightMyRequestResponse) {
  const requestId = String(res.headers['x-request-id']);
  return api.db.db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId));
}

async function seed(name: string, at: number, entry: Partial<AuditEntry>): Promise<void> {
  clock.set(new Date(at));
  await api.app.audit.record(api.app.db.db, {
    actor: { id: 101, role: 'clinician' },
    action: 'readings.read',
    resourceType: 'readings',
    outcome: 'success',
    ip: '192.0.2.1',
    userAgent: 'seed, "quoted" agent',
    requestId: `seed-${name}`,
    details: { returned: 1, label: 'commas, "quotes"\nand a newline' },
    ...entry,
  });
  const [row] = await api.db.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, `seed-${name}`));
  seeded[name] = row?.id ?? 0;
}

const api = useTestApp({ clock });

beforeAll(async () => {
  await seed('a', T0, { patientId: 9001 });
  await seed('b', T0 + HOUR, { actor: { id: 102, role: 'clinician' }, patientId: 9002, action: 'appointments.read' });
  await seed('c', T0 + 2 * HOUR, { patientId: 9002, outcome: 'denied' });
  await seed('d', T0 + 3 * HOUR, { actor: { id: 103, role: 'admin' }, patientId: 9001, action: 'patients.update' });
  for (let i = 0; i < 7; i++) await seed(`p${i}`, T0 + 4 * HOUR + i, { resourceType: 'pagination_probe' });
  clock.set('2026-01-15T12:00:00.000Z');
});

const ROUTES = ['/v1/audit-events', '/v1/audit-events/export?format=csv', '/v1/audit-events/verify'];

describe('who may read the trail', () => {
  it.each(ROUTES)('answers 401 without a token: %s', async (url) => {
    const res = await get(url, null);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it.each(ROUTES)('refuses a patient app token (wrong audience) with 401: %s', async (url) => {
    const res = await get(url, patient());
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'invalid_token' });
    expect(res.body).not.toContain('"data"');
  });

  it.each(ROUTES)('refuses an admin token of the app audience with 401: %s', async (url) => {
    expect((await get(url, { ...admin(), audience: 'app' })).statusCode).toBe(401);
  });

  it.each(ROUTES)('answers 403 to a clinician and audits the denial: %s', async (url) => {
    const res = await get(url, clinician(2));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ status: 403, code: 'forbidden' });
    const rows = await rowOf(res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'access.denied',
      outcome: 'denied',
      actorId: 2,
      actorRole: 'clinician',
      resourceType: 'route',
      resourceId: `GET ${url.split('?')[0]}`,
      details: { requiredRoles: ['admin'] },
    });
  });

  it('answers 403 to a patient principal even in a back-office token, and audits it', async () => {
    const res = await get('/v1/audit-events', { ...patient(10), audience: 'backoffice' });
    expect(res.statusCode).toBe(403);
    expect(await rowOf(res)).toMatchObject([{ action: 'access.denied', actorId: 10, actorRole: 'patient' }]);
  });

  it('lets HEAD and method-override tricks through for nobody but an admin', async () => {
    const url = '/v1/audit-events';
    const head = async (who: TokenFor | null) =>
      api.app.inject({ method: 'HEAD', url, headers: who ? await auth(who) : {} });
    expect((await head(null)).statusCode).toBe(401);
    expect((await head(patient())).statusCode).toBe(401);
    const denied = await head(clinician(2));
    expect(denied.statusCode).toBe(403);
    expect(await rowOf(denied)).toMatchObject([{ action: 'access.denied', resourceId: 'HEAD /v1/audit-events' }]);
    expect((await head(admin())).statusCode).toBe(200);
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
      for (const override of ['GET', 'HEAD', 'OPTIONS']) {
        const headers = { 'x-http-method-override': override, 'x-method-override': override };
        for (const who of [patient(), clinician(2)]) {
          const res = await api.app.inject({ method, url, headers: { ...(await auth(who)), ...headers } });
          expect(res.statusCode, `${method} overridden to ${override}`).toBeGreaterThanOrEqual(400);
          expect(res.body).not.toContain('"data"');
        }
      }
    }
    const preflight = await api.app.inject({ method: 'OPTIONS', url, headers: await auth(patient()) });
    expect(preflight.statusCode).not.toBe(200);
    expect(preflight.body).not.toContain('"data"');
  });

  it('answers 200 to an admin', async () => {
    for (const url of ROUTES) expect((await get(url)).statusCode).toBe(200);
  });
});

describe('GET /v1/audit-events', () => {
  it('lists newest first, in the contract shape', async () => {
    const res = await get('/v1/audit-events?limit=500');
    expect(res.statusCode).toBe(200);
    const list = ids(res);
    expect(list.length).toBeGreaterThanOrEqual(11);
    expect(list).toEqual([...list].sort((a, b) => b - a));
    const a = (res.json().data as Event[]).find((e) => e.id === seeded.a);
    expect(a).toMatchObject({
      createdAt: new Date(T0).toISOString(),
      actor: { id: 101, role: 'clinician' },
      action: 'readings.read',
      resourceType: 'readings',
      resourceId: null,
      patientId: 9001,
      outcome: 'success',
      ip: '192.0.2.1',
      requestId: 'seed-a',
      chain: { shard: expect.any(Number), seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  const cases: [string, string[]][] = [
    ['actorId=101', ['p6', 'p5', 'p4', 'p3', 'p2', 'p1', 'p0', 'c', 'a']],
    ['actorId=102', ['b']],
    ['patientId=9001', ['d', 'a']],
    ['patientId=9002&action=readings.read', ['c']],
    ['action=patients.update', ['d']],
    ['actorId=101&outcome=denied', ['c']],
    ['actorRole=admin&resourceType=readings', ['d']],
    [`from=${new Date(T0 + HOUR).toISOString()}&to=${new Date(T0 + 3 * HOUR).toISOString()}`, ['c', 'b']],
    [`to=${new Date(T0 + HOUR).toISOString()}`, ['a']],
    [`from=${new Date(T0 + 4 * HOUR + 5).toISOString()}&actorId=101`, ['p6', 'p5']],
  ];
  it.each(cases)('filters by %s', async (query, expected) => {
    const res = await get(`/v1/audit-events?${query}`);
    expect(res.statusCode).toBe(200);
    expect(ids(res)).toEqual(expected.map((k) => seeded[k]));
    const [own] = await rowOf(res);
    const details = own?.details as { filters: string[]; returned: number };
    expect(details.filters.sort()).toEqual(
      query
        .split('&')
        .map((p) => p.split('=')[0])
        .sort(),
    );
    expect(details.returned).toBe(expected.length);
  });

  it('walks a filtered set with limit=2 in keyset pages, each row once', async () => {
    const seen: number[] = [];
    let url = '/v1/audit-events?resourceType=pagination_probe&limit=2';
    const sizes: number[] = [];
    for (let page = 0; page < 10; page++) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      seen.push(...ids(res));
      sizes.push(ids(res).length);
      const next = res.json().nextCursor as string | null;
      if (!next) break;
      url = `/v1/audit-events?resourceType=pagination_probe&limit=2&cursor=${encodeURIComponent(next)}`;
    }
    expect(sizes).toEqual([2, 2, 2, 1]);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => seeded[`p${i}`]));
  });

  it('walks the whole trail with limit=2 exactly once, though each page appends a row', async () => {
    const before = (await api.db.db.select({ id: auditEvents.id }).from(auditEvents).orderBy(desc(auditEvents.id))).map(
      (r) => r.id,
    );
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/audit-events?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      seen.push(...ids(res));
      cursor = res.json().nextCursor;
    } while (cursor && seen.length <= before.length);
    expect(seen).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
  });

  const bad: [string, string][] = [
    ['garbage cursor', 'cursor=%25%25not-a-cursor%25%25'],
    ['cursor of the wrong shape', `cursor=${encodeCursor(['x'])}`],
    ['cursor with two keys', `cursor=${encodeCursor([1, 2])}`],
    ['unknown parameter', 'bogus=1'],
    ['limit 0', 'limit=0'],
    ['limit 501', 'limit=501'],
    ['unknown outcome', 'outcome=maybe'],
    ['non-numeric actor', 'actorId=abc'],
    ['repeated actor', 'actorId=1&actorId=2'],
    ['non-date from', 'from=yesterday'],
  ];
  it.each(bad)('answers 400 to a %s', async (_name, query) => {
    const res = await get(`/v1/audit-events?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});
