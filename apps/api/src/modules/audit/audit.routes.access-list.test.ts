/**
 * The admin audit routes over HTTP (`app.inject`), first half: who may call them (AZ-7, LG-3) and the
 * list with filters and keyset pages (LG-9). Export, verification and the audit rows that reading
 * the trail writes are in audit.routes.export-verify.test.ts.
 */
import { desc } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { admin, clinician, patient, type TokenFor } from '../../../test/build-test-app.js';
import { type Event, HOUR, T0, useSeededTrail } from '../../../test/fixtures/audit.routes.js';
import { auditEvents } from '../../db/schema/index.js';
import { encodeCursor } from '../../lib/cursor.js';

const { api, seeded, auth, get, rowOf } = useSeededTrail();

function ids(res: LightMyRequestResponse): number[] {
  return (res.json().data as Event[]).map((e) => e.id);
}

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
