/**
 * The admin audit routes over HTTP (`app.inject`), second half: streamed CSV/JSON export,
 * verification, and the audit rows that reading the trail itself writes. Access and the list are in
 * audit.routes.access-list.test.ts.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { admin } from '../../../test/build-test-app.js';
import { type Event, HOUR, T0, useSeededTrail } from '../../../test/fixtures/audit.routes.js';
import { auditEvents } from '../../db/schema/index.js';
import { CSV_COLUMNS } from './audit.schema.js';

const { api, clock, seeded, get, rowOf, seed } = useSeededTrail();

/** RFC 4180: quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  for (const m of text.matchAll(/(?:"((?:[^"]|"")*)"|([^",\r\n]*))(,|\r?\n|$)/g)) {
    row.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? ''));
    if (m[3] === ',') continue;
    rows.push(row);
    row = [];
    if (m[3] === '') break;
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

describe('GET /v1/audit-events/export', () => {
  it('streams every row as CSV, a header then one line per row, oldest first', async () => {
    const res = await get('/v1/audit-events/export?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-events-.+\.csv"$/);
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual([...CSV_COLUMNS]);
    const all = await api.db.db.select().from(auditEvents).orderBy(auditEvents.id);
    // The export's own audit row is written before streaming, so it is included.
    expect(rows).toHaveLength(all.length);
    expect(rows.map((r) => Number(r[0]))).toEqual(all.map((r) => r.id));
    const a = rows.find((r) => Number(r[0]) === seeded.a) ?? [];
    const col = (name: (typeof CSV_COLUMNS)[number]) => a[CSV_COLUMNS.indexOf(name)];
    expect(col('userAgent')).toBe('seed, "quoted" agent');
    expect(JSON.parse(col('details') ?? '')).toEqual({ returned: 1, label: 'commas, "quotes"\nand a newline' });
    expect(col('resourceId')).toBe('');
    expect(col('createdAt')).toBe(new Date(T0).toISOString());
  });

  it('streams JSON (the default format) as an array of the same rows', async () => {
    const res = await get('/v1/audit-events/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toMatch(/\.json"$/);
    const body = JSON.parse(res.body) as Event[];
    const all = await api.db.db.select({ id: auditEvents.id }).from(auditEvents).orderBy(auditEvents.id);
    expect(body.map((e) => e.id)).toEqual(all.map((r) => r.id));
  });

  it('applies filters to both formats identically', async () => {
    const q = 'resourceType=pagination_probe';
    const json = JSON.parse((await get(`/v1/audit-events/export?format=json&${q}`)).body) as Event[];
    const csv = parseCsv((await get(`/v1/audit-events/export?format=csv&${q}`)).body).slice(1);
    const expected = [0, 1, 2, 3, 4, 5, 6].map((i) => seeded[`p${i}`]);
    expect(json.map((e) => e.id)).toEqual(expected);
    expect(csv.map((r) => Number(r[0]))).toEqual(expected);
    const empty = await get('/v1/audit-events/export?format=json&actorId=999999');
    expect(JSON.parse(empty.body)).toEqual([]);
    expect(parseCsv((await get('/v1/audit-events/export?format=csv&actorId=999999')).body)).toHaveLength(1);
  });

  it('defuses spreadsheet formulas in CSV cells, and only there', async () => {
    const formula = '=HYPERLINK("https://evil.example","open")';
    await seed('formula', T0 + 5 * HOUR, { userAgent: formula, resourceId: '@SUM(A1)', resourceType: 'formula_probe' });
    clock.set('2026-01-15T12:00:00.000Z');
    const [header, row] = parseCsv((await get('/v1/audit-events/export?format=csv&resourceType=formula_probe')).body);
    const col = (name: (typeof CSV_COLUMNS)[number]) => row?.[header?.indexOf(name) ?? -1];
    expect(col('userAgent')).toBe(`'${formula}`);
    expect(col('resourceId')).toBe("'@SUM(A1)");
    expect(col('id')).toBe(String(seeded.formula));
    const json = JSON.parse((await get('/v1/audit-events/export?resourceType=formula_probe')).body) as Event[];
    expect(json).toMatchObject([{ userAgent: formula, resourceId: '@SUM(A1)' }]);
  });

  it.each(['format=xml', 'cursor=abc', 'limit=5', 'bogus=1'])('answers 400 to %s', async (query) => {
    expect((await get(`/v1/audit-events/export?${query}`)).statusCode).toBe(400);
  });
});

describe('reading the trail is audited', () => {
  it.each([
    ['/v1/audit-events?patientId=9001', 'audit_events.list', 9001],
    ['/v1/audit-events/export?format=csv&patientId=9002', 'audit_events.export', 9002],
    ['/v1/audit-events/verify', 'audit_events.verify', null],
  ] as const)('%s writes its own %s row', async (url, action, patientId) => {
    const res = await get(url, admin(1), { 'user-agent': 'audit-reader/1.0' });
    expect(res.statusCode).toBe(200);
    const rows = await rowOf(res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action,
      actorId: 1,
      actorRole: 'admin',
      resourceType: 'audit_events',
      patientId,
      outcome: 'success',
      userAgent: 'audit-reader/1.0',
      createdAt: clock.now(),
    });
  });
});

describe('GET /v1/audit-events/verify', () => {
  it('answers 400 to an unknown query parameter', async () => {
    expect((await get('/v1/audit-events/verify?shard=1')).statusCode).toBe(400);
  });

  it('reports ok on clean data, counting every row', async () => {
    const count = await api.db.db.$count(auditEvents);
    const res = await get('/v1/audit-events/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      checkedRows: count,
      firstBroken: null,
      verifiedAt: clock.now().toISOString(),
    });
    expect(res.json().shards).toBeGreaterThan(1);
  });

  it('reports the first broken link after tampering, and audits the failure', async () => {
    await api.db.db.transaction(async (tx) => {
      await tx.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
      await tx.execute(sql`UPDATE audit_events SET patient_id = 9003 WHERE id = ${seeded.c}`);
      await tx.execute(sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
    });
    const res = await get('/v1/audit-events/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false,
      firstBroken: { id: seeded.c, reason: 'row content does not match its hash' },
    });
    expect(await rowOf(res)).toMatchObject([{ outcome: 'failure', details: { brokenId: seeded.c } }]);
  });
});
