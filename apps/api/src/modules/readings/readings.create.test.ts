/** Creating readings: single and batch, who may write for whom, dedup, Idempotency-Key, side effects. */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, patients, readingDaySummaries, readings } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import type { DomainEvent } from '../../lib/event-bus.js';

const clock = new ManualClock('2026-03-10T15:00:00.000Z');
const events: DomainEvent[] = [];

const api = useTestApp({ clock });

beforeAll(async () => {
  api.app.events.bus.subscribe((e) => events.push(e));
});

const as = async (who: TokenFor) => bearer(await tokenFor(api.app, who));
const me = (id: number): TokenFor => ({ kind: 'patient', id, roles: ['patient'] });
async function post(url: string, who: TokenFor | Record<string, string>, payload: object, extra = {}) {
  const headers = 'kind' in who ? await as(who as TokenFor) : (who as Record<string, string>);
  return api.app.inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload });
}
async function deviceKeyFor(patientId: number) {
  const res = await post(`/v1/patients/${patientId}/api-keys`, me(patientId), { name: 'meter' });
  return bearer(res.json().key as string);
}
const rowsOf = (patientId: number) => api.db.db.select().from(readings).where(eq(readings.patientId, patientId));

describe('POST /v1/readings', () => {
  it('a patient records a reading for themself: 201, stored in mg/dL, counters, summary, audit and event', async () => {
    const p = await createPatient(api.db.db);
    events.length = 0;
    const res = await post('/v1/readings', me(p.id), {
      value: 10.0,
      unit: 'mmol/L',
      measuredAt: '2026-03-10T09:30:00-03:00',
      context: 'breakfast',
      notes: 'after coffee',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      patientId: p.id,
      valueMgDl: 180.2,
      valueMmolL: 10,
      unit: 'mmol/L',
      measuredAt: '2026-03-10T12:30:00.000Z',
      context: 'breakfast',
      source: 'manual',
      notes: 'after coffee',
      revision: 1,
      belowMeasurableRange: false,
    });
    const [stored] = await rowsOf(p.id);
    expect(stored).toMatchObject({ valueMgDl: 180.2, enteredByKind: 'patient', enteredById: p.id, changeSeq: 1 });
    const [pat] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(pat).toMatchObject({ timesMeasured: 1, fourTimesToday: 1, counterDay: '2026-03-10', readingsChangeSeq: 1 });
    const [sum] = await api.db.db.select().from(readingDaySummaries).where(eq(readingDaySummaries.patientId, p.id));
    expect(sum).toMatchObject({ day: '2026-03-10', count: 1, inRange: 1, sumMgDl: 180.2 });
    const audit = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'readings.create'), eq(auditEvents.patientId, p.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]?.resourceId).toBe(String(body.id));
    expect(JSON.stringify(audit[0]?.details)).not.toContain('180');
    expect(events).toContainEqual(
      expect.objectContaining({ topic: 'readings', type: 'created', ids: { patientId: p.id, count: 1 } }),
    );
  });

  it('answers bad input with a 400 naming the field and writes nothing', async () => {
    const p = await createPatient(api.db.db);
    const cases: [object, string][] = [
      [{ valueMgDl: 5, measuredAt: '2026-03-10T09:00:00Z' }, 'body.valueMgDl'],
      [{ value: 60, unit: 'mmol/L', measuredAt: '2026-03-10T09:00:00Z' }, 'body.value'],
      [{ valueMgDl: 100, measuredAt: '2026-03-10T15:11:00Z' }, 'body.measuredAt'],
      [{ valueMgDl: 100, measuredAt: '2026-03-10 09:00' }, 'body.measuredAt'],
      [{ valueMgDl: 100 }, 'body.measuredAt'],
      [{ valueMgDl: '100', measuredAt: '2026-03-10T09:00:00Z' }, 'body.valueMgDl'],
      [{ valueMgDl: 100, measuredAt: '2026-03-10T09:00:00Z', context: 'DESAYUNO' }, 'body.context'],
    ];
    for (const [payload, field] of cases) {
      const res = await post('/v1/readings', me(p.id), payload);
      expect([res.statusCode, Object.keys(res.json().errors ?? {})]).toEqual([400, [field]]);
    }
    expect(await rowsOf(p.id)).toHaveLength(0);
  });

  it('accepts LO and HI as flags', async () => {
    const p = await createPatient(api.db.db);
    const res = await post('/v1/readings', me(p.id), { value: 'LO', measuredAt: '2026-03-10T09:00:00Z' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ valueMgDl: null, valueMmolL: null, belowMeasurableRange: true });
    const [sum] = await api.db.db.select().from(readingDaySummaries).where(eq(readingDaySummaries.patientId, p.id));
    expect(sum).toMatchObject({ count: 1, valuedCount: 0, veryLow: 1 });
  });

  it('stores a control-solution check but keeps it out of the day summaries', async () => {
    const p = await createPatient(api.db.db);
    const res = await post('/v1/readings', me(p.id), {
      valueMgDl: 110,
      measuredAt: '2026-03-10T09:00:00Z',
      sampleType: 'control_solution',
      sampleLocation: 'control_solution',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ sampleType: 'control_solution' });
    expect(await api.db.db.select().from(readingDaySummaries).where(eq(readingDaySummaries.patientId, p.id))).toEqual(
      [],
    );
  });

  it('a patient cannot write a reading for another patient (404, nothing stored, refusal audited)', async () => {
    const [a, b] = [await createPatient(api.db.db), await createPatient(api.db.db)];
    const res = await post('/v1/readings', me(a.id), {
      patientId: b.id,
      valueMgDl: 100,
      measuredAt: '2026-03-10T09:00:00Z',
    });
    expect(res.statusCode).toBe(404);
    expect(await rowsOf(b.id)).toHaveLength(0);
    const denied = await api.db.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, 'readings.create'),
          eq(auditEvents.actorId, a.id),
          eq(auditEvents.outcome, 'failure'),
        ),
      );
    expect(denied).toHaveLength(1);
  });

  it('staff write for a named patient; without patientId it is 400, an unknown patient 404; admins may not', async () => {
    const p = await createPatient(api.db.db);
    const nurse = await createStaff(api.db.db, { roles: ['assistant'] });
    const who: TokenFor = { kind: 'staff', id: nurse.id, roles: ['assistant'] };
    const payload = { valueMgDl: 140, measuredAt: '2026-03-10T09:00:00Z' };
    expect((await post('/v1/readings', who, payload)).statusCode).toBe(400);
    expect((await post('/v1/readings', who, { ...payload, patientId: 987654 })).statusCode).toBe(404);
    const ok = await post('/v1/readings', who, { ...payload, patientId: p.id });
    expect(ok.statusCode).toBe(201);
    const [row] = await rowsOf(p.id);
    expect(row).toMatchObject({ enteredByKind: 'staff', enteredById: nurse.id });
    const boss = await createStaff(api.db.db, { roles: ['admin'] });
    const res = await post(
      '/v1/readings',
      { kind: 'staff', id: boss.id, roles: ['admin'] },
      { ...payload, patientId: p.id },
    );
    expect(res.statusCode).toBe(403);
  });

  it('a device key writes for its own patient (source meter) and re-sending the same reading is a 200 duplicate', async () => {
    const p = await createPatient(api.db.db);
    const key = await deviceKeyFor(p.id);
    const payload = { valueMgDl: 98, measuredAt: '2026-03-10T10:00:00Z', deviceId: 'contour-1', sequenceNumber: 7 };
    const first = await post('/v1/readings', key, payload);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ source: 'meter', deviceId: 'contour-1', sequenceNumber: 7 });
    const again = await post('/v1/readings', key, payload);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(await rowsOf(p.id)).toHaveLength(1);
    const other = await createPatient(api.db.db);
    expect((await post('/v1/readings', key, { ...payload, patientId: other.id })).statusCode).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('a replay returns the original status and body and creates nothing; another body with the key is 422', async () => {
    const p = await createPatient(api.db.db);
    const payload = { valueMgDl: 123, measuredAt: '2026-03-10T11:00:00Z' };
    const key = { 'idempotency-key': 'sync-2026-03-10-0001' };
    const first = await post('/v1/readings', me(p.id), payload, key);
    const replay = await post('/v1/readings', me(p.id), { measuredAt: payload.measuredAt, valueMgDl: 123 }, key);
    expect(first.statusCode).toBe(201);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    expect(await rowsOf(p.id)).toHaveLength(1);
    const mismatch = await post('/v1/readings', me(p.id), { ...payload, valueMgDl: 124 }, key);
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().code).toBe('idempotency_key_mismatch');
    expect(await rowsOf(p.id)).toHaveLength(1);
  });

  it('keys are scoped per caller and expire after 24 hours', async () => {
    const [a, b] = [await createPatient(api.db.db), await createPatient(api.db.db)];
    const key = { 'idempotency-key': 'same-key-everywhere' };
    const payload = { valueMgDl: 111, measuredAt: '2026-03-10T11:00:00Z' };
    expect((await post('/v1/readings', me(a.id), payload, key)).statusCode).toBe(201);
    expect((await post('/v1/readings', me(b.id), payload, key)).statusCode).toBe(201);
    clock.advance(24 * 3_600_000 + 1000);
    try {
      const later = await post('/v1/readings', me(a.id), { ...payload, valueMgDl: 112 }, key);
      expect(later.statusCode).toBe(201);
      expect(await rowsOf(a.id)).toHaveLength(2);
    } finally {
      clock.set('2026-03-10T15:00:00.000Z');
    }
  });

  it('a failed request does not burn the key: the corrected retry runs', async () => {
    const p = await createPatient(api.db.db);
    const key = { 'idempotency-key': 'retry-after-fix' };
    const bad = await post('/v1/readings', me(p.id), { valueMgDl: 5000, measuredAt: '2026-03-10T11:00:00Z' }, key);
    expect(bad.statusCode).toBe(400);
    const good = await post('/v1/readings', me(p.id), { valueMgDl: 150, measuredAt: '2026-03-10T11:00:00Z' }, key);
    expect(good.statusCode).toBe(201);
  });
});

describe('POST /v1/readings/batch', () => {
  const batchOf = (n: number, seq0: number, device = 'libre-9') =>
    Array.from({ length: n }, (_, i) => ({
      valueMgDl: 80 + (i % 300),
      measuredAt: new Date(Date.parse('2026-03-05T00:00:00Z') + (seq0 + i) * 300_000).toISOString(),
      deviceId: device,
      sequenceNumber: seq0 + i,
      source: 'cgm',
      sampleType: 'interstitial_fluid',
    }));

  it('answers each item created, duplicate (with the existing id) or invalid, and a retried batch creates nothing', async () => {
    const p = await createPatient(api.db.db);
    const items = [...batchOf(5, 0), { valueMgDl: 2, measuredAt: '2026-03-09T10:00:00Z' }, batchOf(1, 2)[0]];
    const res = await post('/v1/readings/batch', me(p.id), { readings: items });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ created: 5, duplicates: 1, invalid: 1 });
    expect(body.results[5]).toEqual({
      index: 5,
      status: 'invalid',
      errors: { 'readings.5.valueMgDl': expect.any(String) },
    });
    expect(body.results[6]).toEqual({ index: 6, status: 'duplicate', id: body.results[2].id });
    const retry = await post('/v1/readings/batch', me(p.id), { readings: items });
    expect(retry.json()).toMatchObject({ created: 0, duplicates: 6, invalid: 1 });
    expect(
      retry
        .json()
        .results.slice(0, 5)
        .map((r: { id: number }) => r.id),
    ).toEqual(body.results.slice(0, 5).map((r: { id: number }) => r.id));
    expect(await rowsOf(p.id)).toHaveLength(5);
    const [pat] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(pat?.timesMeasured).toBe(5);
  });

  it('a wrapped uint16 sequence number with a new device time is a new reading', async () => {
    const p = await createPatient(api.db.db);
    const before = { valueMgDl: 120, measuredAt: '2026-03-01T08:00:00Z', deviceId: 'accu-1', sequenceNumber: 65535 };
    const wrapped = [
      { valueMgDl: 121, measuredAt: '2026-03-01T09:00:00Z', deviceId: 'accu-1', sequenceNumber: 0 },
      { valueMgDl: 122, measuredAt: '2026-03-09T09:00:00Z', deviceId: 'accu-1', sequenceNumber: 0 },
    ];
    const res = await post('/v1/readings/batch', me(p.id), { readings: [before, ...wrapped] });
    expect(res.json()).toMatchObject({ created: 3, duplicates: 0 });
    expect((await post('/v1/readings/batch', me(p.id), { readings: wrapped })).json()).toMatchObject({ duplicates: 2 });
  });

  it('refuses more than 1,000 items and an empty batch with 400, storing nothing', async () => {
    const p = await createPatient(api.db.db);
    expect((await post('/v1/readings/batch', me(p.id), { readings: batchOf(1001, 0) })).statusCode).toBe(400);
    expect((await post('/v1/readings/batch', me(p.id), { readings: [] })).statusCode).toBe(400);
    expect(await rowsOf(p.id)).toHaveLength(0);
  });

  it('takes 1,000 readings in one request and honours Idempotency-Key on batches', async () => {
    const p = await createPatient(api.db.db);
    const key = { 'idempotency-key': 'batch-1000' };
    const res = await post('/v1/readings/batch', me(p.id), { readings: batchOf(1000, 100) }, key);
    expect(res.json()).toMatchObject({ created: 1000, invalid: 0 });
    const replay = await post('/v1/readings/batch', me(p.id), { readings: batchOf(1000, 100) }, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(res.json());
    const audit = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'readings.batch_create'), eq(auditEvents.patientId, p.id)));
    expect(audit.map((a) => a.details)).toEqual([{ items: 1000, created: 1000, duplicates: 0, missing: 0 }]);
  });

  it("a patient's batch item for another patient is invalid; staff batches may span patients", async () => {
    const [a, b] = [await createPatient(api.db.db), await createPatient(api.db.db)];
    const item = { valueMgDl: 100, measuredAt: '2026-03-09T10:00:00Z' };
    const res = await post('/v1/readings/batch', me(a.id), { readings: [item, { ...item, patientId: b.id }] });
    expect(res.json()).toMatchObject({ created: 1, invalid: 1 });
    expect(res.json().results[1].errors).toEqual({ 'readings.1.patientId': 'not found' });
    const doc = await createStaff(api.db.db, { roles: ['clinician'] });
    const staffRes = await post(
      '/v1/readings/batch',
      { kind: 'staff', id: doc.id, roles: ['clinician'] },
      {
        readings: [{ ...item, patientId: a.id }, { ...item, patientId: b.id }, item, { ...item, patientId: 9999999 }],
      },
    );
    expect(staffRes.json()).toMatchObject({ created: 2, invalid: 2 });
    expect(await rowsOf(b.id)).toHaveLength(1);
  });
});
