/**
 * `GET /v1/patients/:id/readings/export` (CSV here; FHIR and PDF have their own files): who may
 * export whose readings (AZ-2: another patient's record is 404), the window rules, the CSV content,
 * keyset chunking, and the audit rows of every attempt (LG-3), refused and abandoned ones included.
 */
import { parse } from 'csv-parse/sync';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, clinician, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, readings } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { readingsExportService } from './readings.export.routes.js';
import { CSV_COLUMNS } from './readings.export.schema.js';

const NOW = '2026-03-15T12:00:00.000Z';
const DAY = 86_400_000;
const ago = (days: number, extraMs = 0) => new Date(Date.parse(NOW) - days * DAY + extraMs);

const clock = new ManualClock(NOW);
let a: Awaited<ReturnType<typeof createPatient>>;
let b: Awaited<ReturnType<typeof createPatient>>;
let deviceKey = '';
/** Patient A's reading ids by label. */
const ids: Record<string, number> = {};
const assistant: TokenFor = { kind: 'staff', id: 3, roles: ['assistant'] };
const asPatient = (p: { id: number }): TokenFor => ({ kind: 'patient', id: p.id, roles: ['patient'] });

async function idOf(patientId: number, at: Date): Promise<number> {
  const [row] = await api.db.db
    .select({ id: readings.id })
    .from(readings)
    .where(and(eq(readings.patientId, patientId), eq(readings.measuredAt, at)));
  if (!row) throw new Error('reading not found');
  return row.id;
}

const api = useTestApp({ clock });

beforeAll(async () => {
  a = await createPatient(api.db.db, { name: 'Lucía', surname: 'Gómez', timezone: 'America/Argentina/Buenos_Aires' });
  b = await createPatient(api.db.db);
  const at = {
    old: ago(91),
    edge: ago(89),
    meter: ago(10),
    lo: ago(5),
    cgm: ago(2),
    deleted: ago(1),
    latest: ago(0, -60_000),
  };
  await createReadings(api.db.db, a.id, [
    { valueMgDl: 120, measuredAt: at.old, source: 'manual' },
    { valueMgDl: 95, measuredAt: at.edge, source: 'manual' },
    { valueMgDl: 180, measuredAt: at.meter, source: 'meter', deviceId: 'meter-1', sequenceNumber: 7, context: 'lunch' },
    { valueMgDl: 100, measuredAt: at.lo, source: 'meter', deviceId: 'meter-1', sequenceNumber: 8 },
    { valueMgDl: 54, measuredAt: at.cgm, source: 'cgm', deviceId: 'cgm-1' },
    { valueMgDl: 200, measuredAt: at.deleted, source: 'manual' },
    { valueMgDl: 154.5, measuredAt: at.latest, source: 'manual' },
  ]);
  await createReadings(api.db.db, b.id, [{ valueMgDl: 333, measuredAt: ago(3), source: 'manual' }]);
  for (const [label, when] of Object.entries(at)) ids[label] = await idOf(a.id, when);
  await api.db.db.execute(sql`update readings set value_mg_dl = null, range_flag = 'LO' where id = ${ids.lo}`);
  await api.db.db.execute(
    sql`update readings set notes = '=HYPERLINK("http://evil.example")' where id = ${ids.latest}`,
  );
  await api.db.db.execute(sql`update readings set deleted_at = ${NOW}::timestamptz where id = ${ids.deleted}`);
  const keyRes = await api.app.inject({
    method: 'POST',
    url: `/v1/patients/${a.id}/api-keys`,
    headers: bearer(await tokenFor(api.app, asPatient(a))),
    payload: { name: 'export test meter' },
  });
  expect(keyRes.statusCode).toBe(201);
  deviceKey = keyRes.json().key;
});

async function get(url: string, who: TokenFor | null, method: 'GET' | 'HEAD' = 'GET') {
  const headers = who ? bearer(await tokenFor(api.app, who)) : {};
  return api.app.inject({ method, url, headers });
}

const exportUrl = (patientId: number, query = '') => `/v1/patients/${patientId}/readings/export${query}`;

const csvIds = (body: string) => (parse(body) as string[][]).slice(1).map((r) => Number(r[0]));

describe('CSV export', () => {
  it('streams the window oldest first with the documented columns, as a named attachment', async () => {
    const res = await get(exportUrl(a.id, '?format=csv'), clinician());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="readings-patient-${a.id}-20251215-20260315.csv"`,
    );
    const [head, ...rows] = parse(res.body) as string[][];
    expect(head).toEqual([...CSV_COLUMNS]);
    // 91 days ago is outside the default 90-day window, the deleted reading and patient B's are not exported.
    expect(rows.map((r) => Number(r[0]))).toEqual([ids.edge, ids.meter, ids.lo, ids.cgm, ids.latest]);
    const byId = new Map(rows.map((r) => [Number(r[0]), Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]))]));
    expect(byId.get(ids.meter as number)).toMatchObject({
      measured_at: ago(10).toISOString(),
      local_time: '2026-03-05T09:00:00-03:00',
      value_mg_dl: '180',
      value_mmol_l: '10',
      range_flag: '',
      context: 'lunch',
      source: 'meter',
      device_id: 'meter-1',
      sequence_number: '7',
      sample_type: 'capillary_whole_blood',
    });
    expect(byId.get(ids.lo as number)).toMatchObject({ value_mg_dl: '', value_mmol_l: '', range_flag: 'LO' });
    expect(byId.get(ids.latest as number)).toMatchObject({
      value_mg_dl: '154.5',
      notes: `'=HYPERLINK("http://evil.example")`,
    });
  });

  it('takes instants or local dates for the window, `to` exclusive and a date-only `to` as a whole day', async () => {
    const instants = await get(exportUrl(a.id, `?from=${ago(10).toISOString()}&to=${ago(2).toISOString()}`), admin());
    expect(instants.statusCode).toBe(200);
    expect(csvIds(instants.body)).toEqual([ids.meter, ids.lo]);
    // 2026-03-13 in Buenos Aires runs to 2026-03-14T03:00Z, so the CGM reading of 03-13 12:00Z is in.
    const dates = await get(exportUrl(a.id, '?from=2026-03-05&to=2026-03-13'), admin());
    expect(csvIds(dates.body)).toEqual([ids.meter, ids.lo, ids.cgm]);
  });

  it('sends the header alone for a window without readings', async () => {
    const res = await get(exportUrl(a.id, '?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z'), clinician());
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`${CSV_COLUMNS.join(',')}\n`);
  });

  it('refuses a window longer than a year, or one that ends before it starts (400 naming the field)', async () => {
    const long = await get(exportUrl(a.id, '?from=2024-01-01T00:00:00Z&to=2025-06-01T00:00:00Z'), clinician());
    expect(long.statusCode).toBe(400);
    expect(Object.keys(long.json().errors)).toEqual(['querystring.from']);
    expect((await api.auditOf(long)).map((r) => [r.action, r.outcome, r.details])).toEqual([
      ['readings.export', 'failure', { reason: 'invalid_window', format: 'csv' }],
    ]);
    const backwards = await get(exportUrl(a.id, `?from=${NOW}&to=2026-03-01T00:00:00Z`), clinician());
    expect(backwards.statusCode).toBe(400);
    expect(Object.keys(backwards.json().errors)).toEqual(['querystring.to']);
    const pdfTooLong = await get(exportUrl(a.id, '?format=pdf&from=2025-11-01'), clinician());
    expect(pdfTooLong.statusCode).toBe(400);
    const badFormat = await get(exportUrl(a.id, '?format=xlsx'), clinician());
    expect(badFormat.statusCode).toBe(400);
  });
});

describe('who may export', () => {
  it('a patient exports their own readings', async () => {
    const res = await get(exportUrl(a.id), asPatient(a));
    expect(res.statusCode).toBe(200);
    expect(csvIds(res.body)).toHaveLength(5);
  });

  it("a patient cannot export another patient's readings: 404, audited as denied", async () => {
    const res = await get(exportUrl(a.id), asPatient(b));
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('meter-1');
    const rows = await api.auditOf(res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'readings.export',
      outcome: 'denied',
      actorId: b.id,
      actorRole: 'patient',
      patientId: a.id,
      details: { reason: 'not_permitted', format: 'csv' },
    });
  });

  it('an unknown patient is 404 for staff too, audited as a failure', async () => {
    const res = await get(exportUrl(987654), clinician());
    expect(res.statusCode).toBe(404);
    expect((await api.auditOf(res)).map((r) => [r.outcome, r.patientId, r.details])).toEqual([
      ['failure', null, { reason: 'not_found', format: 'csv' }],
    ]);
  });

  it('an assistant cannot export readings (403, audited as a refused access)', async () => {
    const res = await get(exportUrl(a.id), assistant);
    expect(res.statusCode).toBe(403);
    expect((await api.auditOf(res)).map((r) => [r.action, r.outcome])).toEqual([['access.denied', 'denied']]);
  });

  it("a device key cannot export its own patient's readings (401)", async () => {
    const res = await api.app.inject({ method: 'GET', url: exportUrl(a.id), headers: bearer(deviceKey) });
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('meter-1');
  });

  it('an anonymous caller gets 401 and nothing else', async () => {
    const res = await get(exportUrl(a.id), null);
    expect(res.statusCode).toBe(401);
    expect(await api.auditOf(res)).toEqual([]);
  });

  it('a HEAD request does not run an export', async () => {
    const res = await get(exportUrl(a.id), clinician(), 'HEAD');
    expect(res.statusCode).toBe(404);
    expect(await api.auditOf(res)).toEqual([]);
  });
});

describe('audit of an export', () => {
  it('records the window before streaming and the row count at the end, with no values', async () => {
    const res = await get(exportUrl(a.id, '?format=csv'), clinician(2));
    expect(res.statusCode).toBe(200);
    const rows = await api.auditOf(res);
    expect(rows.map((r) => [r.action, r.outcome, r.actorId, r.actorRole, r.patientId, r.details])).toEqual([
      [
        'readings.export',
        'success',
        2,
        'clinician',
        a.id,
        { stage: 'started', format: 'csv', from: '2025-12-15T12:00:00.000Z', to: NOW },
      ],
      ['readings.export', 'success', 2, 'clinician', a.id, { stage: 'completed', format: 'csv', rows: 5 }],
    ]);
    expect(JSON.stringify(rows)).not.toContain('HYPERLINK');
  });

  it('an export abandoned half-way is recorded as aborted with the rows handed out so far', async () => {
    const service = readingsExportService(api.app, 2);
    const origin = { actor: { id: 2, role: 'clinician' as const }, requestId: 'export-abandoned' };
    const plan = await service.open({ kind: 'staff', id: 2, roles: ['clinician'] }, origin, a.id, { format: 'csv' });
    const body = service.csv(plan);
    expect((await body.next()).done).toBe(false);
    await body.return(undefined);
    const rows = await api.db.db.select().from(auditEvents).where(eq(auditEvents.requestId, 'export-abandoned'));
    expect(rows.map((r) => [r.outcome, (r.details as { stage: string }).stage])).toEqual([
      ['success', 'started'],
      ['error', 'aborted'],
    ]);
    expect(rows[1]?.details).toMatchObject({ rows: 2 });
  });
});

describe('keyset chunks', () => {
  it('returns every reading once across chunk boundaries, even when instants tie or differ by microseconds', async () => {
    const p = await createPatient(api.db.db);
    const t = new Date('2026-03-10T10:00:00.000Z');
    await createReadings(
      api.db.db,
      p.id,
      Array.from({ length: 7 }, (_, i) => ({ valueMgDl: 100 + i, measuredAt: t, source: 'cgm' as const })),
    );
    // Three readings a few microseconds apart: a millisecond cursor would repeat or skip them.
    await api.db.db.execute(sql`
      update readings set measured_at = measured_at + (id % 3) * interval '1 microsecond'
      where patient_id = ${p.id} and id % 2 = 0`);
    const expected = await api.db.db
      .select({ id: readings.id })
      .from(readings)
      .where(eq(readings.patientId, p.id))
      .orderBy(readings.measuredAt, readings.id);
    const service = readingsExportService(api.app, 2);
    const origin = { actor: { id: 1, role: 'admin' as const } };
    const plan = await service.open({ kind: 'staff', id: 1, roles: ['admin'] }, origin, p.id, { format: 'csv' });
    const chunks: number[][] = [];
    for await (const chunk of service.chunks(plan)) chunks.push(chunk.map((r) => r.id));
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 2, 1]);
    expect(chunks.flat()).toEqual(expected.map((r) => r.id));
    let csv = '';
    for await (const piece of service.csv(plan)) csv += piece;
    expect(csvIds(csv)).toEqual(expected.map((r) => r.id));
  });
});
