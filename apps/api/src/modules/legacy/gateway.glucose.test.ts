/**
 * Patient gateway readings and achievements, on the legacy instance built over a test app: what the
 * HTTP-only contract suite cannot see — stored rows, counters, audit rows, other patients' data,
 * staff tokens, nothing written on a refusal, and the oldest-first keyset chunks.
 */
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, patients, readings } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { readingsService } from '../readings/index.js';
import { ReadingQueries } from '../readings/readings.queries.js';
import { buildLegacyApp } from './legacy.app.js';
import gatewayRoutes from './legacy.gateway.js';

const NOW = '2026-01-15T15:00:00.000Z'; // 12:00 in Buenos Aires
let gw: FastifyInstance;
const clock = new ManualClock(NOW);
let seq = 0;

const api = useTestApp({ clock });

beforeAll(async () => {
  gw = await buildLegacyApp(api.app, 'gateway', gatewayRoutes);
});
afterAll(async () => {
  await gw.close();
});

async function newPatient() {
  const p = await createPatient(api.db.db);
  return { ...p, token: await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] }) };
}

function requestId() {
  seq += 1;
  return `gw-glucose-${seq}`;
}

function create(token: string, query: Record<string, string>, rid = requestId()) {
  return gw.inject({
    method: 'POST',
    url: `/glucose/create?${new URLSearchParams(query)}`,
    headers: { ...bearer(token), 'content-type': 'application/json', 'x-request-id': rid },
    payload: '',
  });
}

const get = (token: string, url: string, rid = requestId()) =>
  gw.inject({ url, headers: { ...bearer(token), 'x-request-id': rid } });

const readingsOf = (patientId: number) => api.db.db.select().from(readings).where(eq(readings.patientId, patientId));

describe('POST /glucose/create', () => {
  it('stores a manual reading through the domain: value, context, time from created_at, audit, counters', async () => {
    const p = await newPatient();
    const rid = requestId();
    const res = await create(
      p.token,
      {
        glucose_level: '135',
        reading_type: 'DESAYUNO',
        notes: 'antes del café',
        created_at: '2026-01-15T10:46:15.123Z',
      },
      rid,
    );
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.any(Number),
      user_id: p.id,
      glucose_level: 135,
      reading_type: 'DESAYUNO',
      created_at: '15/01/2026 07:46:15',
      notes: 'antes del café',
    });
    // The integer echoes as an integer on the wire, not 135.0.
    expect(res.body).toContain('"glucose_level":135,');
    const [row] = await readingsOf(p.id);
    expect(row).toMatchObject({
      id: body.id,
      valueMgDl: 135,
      context: 'breakfast',
      source: 'manual',
      enteredByKind: 'patient',
      enteredById: p.id,
      notes: 'antes del café',
      deviceId: null,
      deletedAt: null,
    });
    expect(row?.measuredAt.toISOString()).toBe('2026-01-15T10:46:15.123Z');
    const audit = await api.auditOf(rid);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'readings.create',
      resourceId: String(body.id),
      patientId: p.id,
      actorId: p.id,
      actorRole: 'patient',
      outcome: 'success',
    });
    const [counters] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(counters).toMatchObject({ timesMeasured: 1, fourTimesToday: 1, readingsChangeSeq: 1 });
  });

  it('stamps the clock time without created_at, and ids increase', async () => {
    const p = await newPatient();
    const first = await create(p.token, { glucose_level: '101', reading_type: 'ALMUERZO' });
    const second = await create(p.token, { glucose_level: '99.5', reading_type: 'OTRAS_COMIDAS' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ created_at: '15/01/2026 12:00:00', notes: null, reading_type: 'ALMUERZO' });
    expect(second.json()).toMatchObject({ glucose_level: 99.5, reading_type: 'OTRAS_COMIDAS' });
    expect(second.json().id).toBeGreaterThan(first.json().id);
    const rows = await readingsOf(p.id);
    expect(rows.map((r) => r.measuredAt.toISOString())).toEqual([NOW, NOW]);
  });

  it('moves the gamification counters at once: four readings a day make a streak, seen by /users/me', async () => {
    const p = await newPatient();
    for (const [i, t] of ['08:00', '12:00', '16:00', '20:00'].entries()) {
      // 2026-01-14 in Buenos Aires (UTC−3): yesterday, so the streak is alive today.
      const res = await create(p.token, {
        glucose_level: String(100 + i),
        reading_type: 'OTRO',
        created_at: `2026-01-14T${t}:00Z`,
      });
      expect(res.statusCode).toBe(201);
      const me = (await get(p.token, '/users/me')).json();
      expect(me.times_measured).toBe(i + 1);
    }
    const me = (await get(p.token, '/users/me')).json();
    expect(me).toMatchObject({ times_measured: 4, streak: 1, max_streak: 1 });
    const streak = await get(p.token, '/achievements/streak/');
    expect(streak.json()).toEqual({ streak: 1, max_streak: 1, four_times_today: 0, streak_last_date: '2026-01-14' });
    await create(p.token, { glucose_level: '140', reading_type: 'CENA' });
    expect((await get(p.token, '/achievements/streak')).json().four_times_today).toBe(1);
    const achievements = (await get(p.token, '/achievements/')).json() as Record<string, unknown>[];
    const first = achievements.find((a) => a.ach_id === 1);
    expect(first).toEqual({
      ach_id: 1,
      name: expect.any(String),
      attribute: 'times_measured',
      got: true,
      progress: 1,
      threshold: 1,
    });
    for (const a of achievements) {
      expect(a.progress).toBeLessThanOrEqual(a.threshold as number);
      expect(a.got).toBe((a.progress as number) >= (a.threshold as number));
    }
  });

  it('refuses bad input with FastAPI 422 lists and writes nothing', async () => {
    const p = await newPatient();
    const missing = await create(p.token, {});
    expect(missing.statusCode).toBe(422);
    expect(missing.json().detail).toEqual([
      { loc: ['query', 'glucose_level'], msg: 'field required', type: 'value_error.missing' },
      { loc: ['query', 'reading_type'], msg: 'field required', type: 'value_error.missing' },
    ]);
    const type = await create(p.token, { glucose_level: '120', reading_type: 'BRUNCH' });
    expect(type.statusCode).toBe(422);
    expect(type.json().detail).toEqual([
      { loc: ['query', 'reading_type'], msg: 'value is not a valid enumeration member', type: 'type_error.enum' },
    ]);
    const low = await create(p.token, { glucose_level: '5', reading_type: 'CENA' });
    expect(low.statusCode).toBe(422);
    expect(low.json().detail).toEqual([
      { loc: ['query', 'glucose_level'], msg: 'must be between 10 and 1000 mg/dL', type: 'value_error' },
    ]);
    const word = await create(p.token, { glucose_level: 'alto', reading_type: 'CENA' });
    expect(word.statusCode).toBe(422);
    const future = await create(p.token, {
      glucose_level: '120',
      reading_type: 'CENA',
      created_at: '2026-01-15T16:00:00Z',
    });
    expect(future.statusCode).toBe(422);
    expect(future.json().detail[0]).toMatchObject({
      loc: ['query', 'created_at'],
      msg: expect.stringMatching(/future/),
    });
    const noOffset = await create(p.token, { glucose_level: '120', reading_type: 'CENA', created_at: 'yesterday' });
    expect(noOffset.statusCode).toBe(422);
    expect(await readingsOf(p.id)).toHaveLength(0);
    const [counters] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(counters).toMatchObject({ timesMeasured: 0, readingsChangeSeq: 0 });
  });

  it('answers 401 to staff tokens and to no token, before validating, and writes nothing', async () => {
    const s = await createStaff(api.db.db, { roles: ['admin', 'clinician'] });
    const staffToken = await tokenFor(api.app, { kind: 'staff', id: s.id, roles: ['admin', 'clinician'] });
    const before = await api.db.db.select().from(readings);
    for (const res of [
      await create(staffToken, { glucose_level: '120', reading_type: 'CENA' }),
      await gw.inject({ method: 'POST', url: '/glucose/create', headers: { 'content-type': 'application/json' } }),
      await get(staffToken, '/glucose/mine'),
      await get(staffToken, '/achievements/'),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect(await api.db.db.select().from(readings)).toHaveLength(before.length);
  });
});

describe('GET /glucose/mine and /glucose/mine/latest', () => {
  it('return only the caller’s live readings, oldest first (ties by id), audited as reads', async () => {
    const p = await newPatient();
    const other = await newPatient();
    const day = (d: number, h = 12) => new Date(Date.UTC(2026, 0, d, h));
    await createReadings(api.db.db, p.id, [
      { valueMgDl: 150, measuredAt: day(10), source: 'manual' },
      { valueMgDl: 110, measuredAt: day(1), source: 'manual' },
      { valueMgDl: 111, measuredAt: day(1), source: 'manual' },
      { valueMgDl: 90, measuredAt: new Date(Date.UTC(2025, 11, 1)), source: 'manual' },
    ]);
    await createReadings(api.db.db, other.id, [{ valueMgDl: 300, measuredAt: day(5), source: 'manual' }]);
    const made = await create(p.token, {
      glucose_level: '175',
      reading_type: 'CENA',
      created_at: '2026-01-12T00:00:00Z',
    });
    const gone = await create(p.token, {
      glucose_level: '200',
      reading_type: 'CENA',
      created_at: '2026-01-13T00:00:00Z',
    });
    await readingsService(api.app).remove(
      { kind: 'patient', id: p.id, roles: ['patient'] },
      { actor: { id: p.id, role: 'patient' }, ip: null, userAgent: null, requestId: 'test-delete' },
      gone.json().id,
    );

    const rid = requestId();
    const res = await get(p.token, '/glucose/mine', rid);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const list = res.json().readings as { id: number; user_id: number; glucose_level: number; created_at: string }[];
    expect(list.map((r) => r.glucose_level)).toEqual([90, 110, 111, 150, 175]);
    expect(list.every((r) => r.user_id === p.id)).toBe(true);
    expect(list[1]?.id).toBeLessThan(list[2]?.id as number);
    expect(list.at(-1)).toEqual(made.json());
    expect(list[0]?.created_at).toBe('30/11/2025 21:00:00');
    const [audit] = await api.auditOf(rid);
    expect(audit).toMatchObject({ action: 'readings.read', patientId: p.id, actorId: p.id, outcome: 'success' });

    // Last 15 days from 2026-01-15T15:00Z: from 2025-12-31T15:00Z on.
    const latest = await get(p.token, '/glucose/mine/latest');
    expect(latest.json().readings.map((r: { glucose_level: number }) => r.glucose_level)).toEqual([110, 111, 150, 175]);

    const theirs = (await get(other.token, '/glucose/mine')).json().readings;
    expect(theirs.map((r: { user_id: number }) => r.user_id)).toEqual([other.id]);
  });

  it('an empty history is {"readings":[]}', async () => {
    const p = await newPatient();
    const res = await get(p.token, '/glucose/mine');
    expect(res.body).toBe('{"readings":[]}');
  });

  it('reads the history in bounded keyset chunks that neither skip nor repeat across equal times', async () => {
    const p = await newPatient();
    const t = (m: number) => new Date(Date.UTC(2025, 5, 1, 0, m));
    const rows = [0, 0, 0, 1, 2, 2, 3, 5, 5, 5, 8].map((m, i) => ({ valueMgDl: 100 + i, measuredAt: t(m) }));
    await createReadings(api.db.db, p.id, rows);
    const reads = new ReadingQueries({
      db: api.app.db.db,
      audit: api.app.audit,
      clock: api.app.clock,
      writes: readingsService(api.app),
    });
    const origin = { actor: { id: p.id, role: 'patient' as const }, ip: null, userAgent: null, requestId: 'chunks' };
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const chunk of await reads.streamOldestFirst(
      { kind: 'patient', id: p.id, roles: ['patient'] },
      origin,
      p.id,
      { chunk: 3 },
    )) {
      sizes.push(chunk.length);
      seen.push(...chunk.map((r) => r.valueMgDl as number));
    }
    expect(sizes).toEqual([3, 3, 3, 2]);
    expect(seen).toEqual(rows.map((r) => r.valueMgDl));
    const audits = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.requestId, 'chunks'), eq(auditEvents.action, 'readings.read')));
    expect(audits).toHaveLength(1);
    // Another patient's history is refused (404) and the refusal audited.
    const stranger = await newPatient();
    await expect(
      reads.streamOldestFirst({ kind: 'patient', id: stranger.id, roles: ['patient'] }, origin, p.id),
    ).rejects.toMatchObject({ status: 404 });
  });
});
