/**
 * Round trip of the legacy fixtures (apps/api/test/fixtures/legacy): on PGlite sources, or on real
 * separate PostgreSQL databases when TEST_DATABASE_URL is set.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createTestDb } from '../../../test/build-test-app.js';
import { type LegacyFixture, openLegacyFixture } from '../../../test/fixtures/legacy/load.js';
import { type DbHandle, queryRows } from '../../db/client.js';
import {
  appointmentResolutions,
  appointments,
  auditEvents,
  credentials,
  patients,
  queueRequests,
  queueSettings,
  readingDaySummaries,
  readings,
  staff,
} from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { legacyPlacementOf, legacyStateOf, type RequestState } from '../../modules/appointments/appointments.states.js';
import { rebuildDaySummaries } from '../../modules/readings/readings.summaries.js';
import { importLegacy } from './importer.js';
import type { ImportReport, TableReport } from './report.js';
import { formatReport } from './report.js';

let target: DbHandle;
let fixture: LegacyFixture;
let app: FastifyInstance;
const clock = new ManualClock('2026-02-01T12:00:00Z');
let first: ImportReport;

const table = (r: ImportReport, name: string) => r.tables.find((t) => t.table === name) as TableReport;
const summary = (t: TableReport) => ({
  source: t.source,
  inserted: t.inserted,
  present: t.present,
  skipped: t.skipped,
});

async function tableCounts() {
  const out: Record<string, number> = {};
  for (const name of [
    'patients',
    'credentials',
    'staff',
    'readings',
    'reading_day_summaries',
    'queue_requests',
    'queue_request_transitions',
    'appointments',
    'appointment_resolutions',
  ]) {
    const [row] = await queryRows<{ n: number }>(target.db, sqlCount(name));
    out[name] = row?.n ?? -1;
  }
  return out;
}

const sqlCount = (name: string) => sql`select count(*)::int as n from ${sql.identifier(name)}`;

beforeAll(async () => {
  target = await createTestDb();
  fixture = await openLegacyFixture();
  first = await importLegacy(target.db, fixture.sources, { clock, chunkSize: 10 });
  app = await buildTestApp({ db: target, clock });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await target?.close();
  await fixture?.close();
});

describe('legacy import of the fixture databases', () => {
  it('reports exact counts and skip reasons per table, and zero unexplained differences', () => {
    expect(summary(table(first, 'users'))).toEqual({
      source: 7,
      inserted: 6,
      present: 0,
      skipped: { duplicate_email: 1 },
    });
    expect(table(first, 'users').skippedIds).toEqual({ duplicate_email: [6] });
    expect(table(first, 'users').adjusted).toEqual({ password_unusable: 1 });
    expect(summary(table(first, 'admins'))).toEqual({ source: 1, inserted: 1, present: 0, skipped: {} });
    expect(summary(table(first, 'glucose_readings'))).toEqual({
      source: 35,
      inserted: 27,
      present: 0,
      skipped: { duplicate_reading: 1, value_out_of_range: 2, user_skipped: 2, missing_created_at: 1, unknown_user: 2 },
    });
    expect(table(first, 'glucose_readings').skippedIds).toEqual({
      duplicate_reading: [9],
      value_out_of_range: [19, 27],
      user_skipped: [30, 31],
      missing_created_at: [33],
      unknown_user: [34, 35],
    });
    expect(summary(table(first, 'queue_config'))).toEqual({ source: 1, inserted: 1, present: 0, skipped: {} });
    expect(summary(table(first, 'appointment_queue'))).toEqual({
      source: 7,
      inserted: 5,
      present: 0,
      skipped: { unknown_user: 1, user_skipped: 1 },
    });
    expect(summary(table(first, 'appointments'))).toEqual({
      source: 6,
      inserted: 4,
      present: 0,
      skipped: { unknown_user: 1, user_skipped: 1 },
    });
    expect(summary(table(first, 'appointment_resolution'))).toEqual({
      source: 4,
      inserted: 2,
      present: 0,
      skipped: { appointment_skipped: 1, unknown_appointment: 1 },
    });
    expect(table(first, 'appointment_resolution').skippedIds).toEqual({
      appointment_skipped: [5],
      unknown_appointment: [42],
    });
    expect(table(first, 'appointment_resolution').adjusted).toEqual({ basal_time_normalised: 1 });
    for (const t of first.tables) expect(t.unexplained, t.table).toBe(0);
    expect(first.unexplained).toBe(0);
    expect(formatReport(first)).toContain('unexplained differences: 0');
  });

  it('keeps legacy ids, DNIs, counters and the SHA-256 hashes flagged as legacy', async () => {
    const rows = await target.db.select().from(patients).orderBy(asc(patients.id));
    expect(rows.map((p) => [p.id, p.dni])).toEqual([
      [1, '40123456'],
      [2, '40123457'],
      [3, '1000'],
      [4, '1001'],
      [5, '1002'],
      [7, '30555777'],
    ]);
    const lucia = rows[0];
    expect(lucia).toMatchObject({ email: 'lucia.fernandez@gmail.com', name: 'Lucía', hospitalAccount: 'HOSP001' });
    expect(lucia).toMatchObject({ timesMeasured: 11, streakDays: 2, maxStreakDays: 3, fourTimesToday: 2 });
    expect(lucia).toMatchObject({ streakLastDate: '2026-01-17', counterDay: '2026-01-18' });
    expect(rows.find((p) => p.id === 4)?.blocked).toBe(true);
    expect(rows.find((p) => p.id === 5)?.tidepoolId).toBe('6b8f3e2a1c');
    expect(rows.find((p) => p.id === 3)?.tidepoolId).toBeNull();
    expect(rows.find((p) => p.id === 7)?.email).toBe('sofia.diaz@gmail.com');
    const [cred] = await target.db.select().from(credentials).where(eq(credentials.patientId, 2));
    expect(cred).toMatchObject({
      passwordAlgo: 'legacy_sha256',
      passwordHash: '72cb89c85a365bea439bbf3be6d215c0e5ded565815a4dc8ba7c02f6c0d0defd',
    });
    const [none] = await target.db.select().from(credentials).where(eq(credentials.patientId, 7));
    expect(none).toMatchObject({ passwordHash: null, passwordAlgo: null });
    const [admin] = await target.db.select().from(staff).where(eq(staff.username, 'admin'));
    expect([...(admin?.roles ?? [])].sort()).toEqual(['admin', 'assistant', 'clinician']);

    const ids = (await target.db.select({ id: readings.id }).from(readings).orderBy(asc(readings.id))).map((r) => r.id);
    expect(ids).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 28, 29, 32,
    ]);
    const appts = await target.db.select().from(appointments).orderBy(asc(appointments.id));
    expect(appts.map((a) => [a.id, a.patientId])).toEqual([
      [1, 1],
      [2, 2],
      [3, 1],
      [4, 3],
    ]);
    // Identity sequences moved past the kept ids: new rows never collide.
    const [next] = await target.db
      .insert(patients)
      .values({ dni: '99999999', email: 'nuevo@example.com', name: 'N', surname: 'N' })
      .returning({ id: patients.id });
    expect(next?.id).toBeGreaterThan(7);
    await target.db.delete(patients).where(eq(patients.id, next?.id ?? 0));
  });

  it('maps reading types, values, notes and times (timestamp without time zone read as UTC)', async () => {
    const byId = new Map((await target.db.select().from(readings)).map((r) => [r.id, r]));
    expect(byId.get(1)).toMatchObject({
      context: 'breakfast',
      valueMgDl: 112,
      source: 'legacy',
      sampleType: 'unknown',
    });
    expect(byId.get(1)?.measuredAt.toISOString()).toBe('2026-01-16T11:05:12.318Z');
    expect(byId.get(2)?.context).toBe('lunch');
    expect(byId.get(3)).toMatchObject({ context: 'snack', valueMgDl: 98.5, notes: 'después de caminar' });
    expect(byId.get(4)?.context).toBe('dinner');
    expect(byId.get(7)?.context).toBe('exercise');
    expect(byId.get(15)?.context).toBe('other_meal');
    expect(byId.get(16)?.context).toBe('other');
    // Change-feed positions: 1..n per patient in id order, and the patient's head at n.
    const feed = (
      await target.db.select().from(readings).where(eq(readings.patientId, 1)).orderBy(asc(readings.id))
    ).map((r) => r.changeSeq);
    expect(feed).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const [p1] = await target.db.select().from(patients).where(eq(patients.id, 1));
    expect(p1?.readingsChangeSeq).toBe(10);
    expect(p1?.lastReadingAt?.toISOString()).toBe('2026-01-18T15:20:30.000Z');
  });

  it('keeps the day summaries equal to a full rebuild', async () => {
    const snapshot = async () =>
      (await target.db.select().from(readingDaySummaries))
        .map(({ updatedAt: _, ...r }) => r)
        .sort((a, b) => a.patientId - b.patientId || a.day.localeCompare(b.day));
    const incremental = await snapshot();
    expect(incremental.length).toBeGreaterThan(5);
    await rebuildDaySummaries(target.db, [1, 2, 3, 4, 5, 7]);
    expect(await snapshot()).toEqual(incremental);
  });

  it('maps the queue states and placements, the configuration, and links appointments to requests', async () => {
    const [settings] = await target.db.select().from(queueSettings);
    expect(settings).toMatchObject({ capacity: 15, open: true, day: first.queueDays?.current, nextPlacement: 7 });
    expect(first.queueDays).toEqual({ history: 2, current: 3 });
    const current = await target.db
      .select()
      .from(queueRequests)
      .where(isNull(queueRequests.releasedAt))
      .orderBy(asc(queueRequests.placement));
    const projected = current.map((r) => {
      const c = { state: r.state as RequestState, placement: r.placement };
      return [r.patientId, r.placement, r.state, legacyStateOf(c), legacyPlacementOf(c)];
    });
    expect(projected).toEqual([
      [1, 0, 'resolved', 'CREATED', -1],
      [3, 1, 'created', 'CREATED', -1],
      [2, 2, 'pending', 'PENDING', 2],
      [5, 3, 'accepted', 'ACCEPTED', -1],
      [4, 4, 'denied', 'DENIED', -1],
    ]);
    const appts = new Map((await target.db.select().from(appointments)).map((a) => [a.id, a]));
    const requestOf = async (id: number) =>
      (
        await target.db
          .select()
          .from(queueRequests)
          .where(eq(queueRequests.id, appts.get(id)?.requestId ?? 0))
      )[0];
    expect(await requestOf(3)).toMatchObject({ patientId: 1, queueDay: 3, placement: 0, state: 'resolved' });
    expect(await requestOf(4)).toMatchObject({ patientId: 3, queueDay: 3, placement: 1, state: 'created' });
    expect(await requestOf(1)).toMatchObject({ queueDay: 2, placement: 1, state: 'resolved' });
    expect(await requestOf(2)).toMatchObject({
      queueDay: 2,
      placement: 2,
      state: 'closed',
      motive: ['HIPERGLUCEMIA', 'DUDAS'],
    });
    expect((await requestOf(2))?.releasedAt?.toISOString()).toBe('2026-02-01T12:00:00.000Z');
    expect(appts.get(4)).toMatchObject({ motive: ['OTRO'], otherMotive: 'viaje largo', controlData: '' });
    expect(appts.get(3)).toMatchObject({ resolutionRevision: 1, emergencyCare: false });

    const res = await target.db
      .select()
      .from(appointmentResolutions)
      .orderBy(asc(appointmentResolutions.appointmentId));
    expect(res.map((r) => [r.appointmentId, r.revision, r.changeBasalTime])).toEqual([
      [1, 1, '22:00'],
      [3, 1, '21:30'],
    ]);
    expect(res[1]?.glucoseScale).toEqual([
      ['Bajo', 70],
      ['Normal', 180],
      ['Alto', 250],
    ]);
    expect(res[1]?.inPersonVisitNeeded).toBe(true);
    const [author] = await target.db
      .select()
      .from(staff)
      .where(eq(staff.id, res[0]?.authorStaffId ?? 0));
    expect(author).toMatchObject({ username: 'legacy-import', blocked: true });
  });

  it('writes one legacy.import audit row with the counts, and the queue-day marker', async () => {
    const rows = await target.db.select().from(auditEvents).where(eq(auditEvents.action, 'legacy.import'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorRole: 'system', outcome: 'success' });
    expect(rows[0]?.details).toMatchObject({ unexplained: 0, tables: { glucose_readings: { inserted: 27 } } });
    const marker = await target.db.select().from(auditEvents).where(eq(auditEvents.action, 'legacy.import_queue'));
    expect(marker[0]?.details).toMatchObject({ historyDay: 2, currentDay: 3 });
  });

  it('a second run inserts nothing, reports everything already present and changes no row', async () => {
    const before = await tableCounts();
    const again = await importLegacy(target.db, fixture.sources, { clock, chunkSize: 7 });
    for (const t of again.tables) {
      const was = table(first, t.table);
      expect({ table: t.table, inserted: t.inserted, present: t.present, skipped: t.skipped }).toEqual({
        table: t.table,
        inserted: 0,
        present: was.inserted + was.present,
        skipped: was.skipped,
      });
    }
    expect(again.unexplained).toBe(0);
    expect(again.queueDays).toEqual(first.queueDays);
    expect(await tableCounts()).toEqual(before);
    const [settings] = await target.db.select().from(queueSettings);
    expect(settings?.day).toBe(3);
  });

  it('a migrated user signs in with the old password, and the hash is upgraded to argon2id', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: '40123456', password: 'thepassword' },
    });
    expect(res.statusCode).toBe(200);
    const [cred] = await target.db.select().from(credentials).where(eq(credentials.patientId, 1));
    expect(cred?.passwordAlgo).toBe('argon2id');
    expect(cred?.passwordHash?.startsWith('$argon2id$')).toBe(true);
    const blocked = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: '1001', password: 'bloqueado' },
    });
    expect(blocked.statusCode).toBe(403);
    const admin = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: 'admin', password: 'admin' },
    });
    expect(admin.statusCode).toBe(200);
    const [adminCred] = await target.db
      .select({ algo: credentials.passwordAlgo })
      .from(credentials)
      .innerJoin(staff, and(eq(staff.id, credentials.staffId), eq(staff.username, 'admin')));
    expect(adminCred?.algo).toBe('argon2id');
  });
});
