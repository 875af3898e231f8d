/**
 * The importer under interruption and on other source shapes: resume after injected failures,
 * the older schema (columns added later missing) in one shared database read in the clinic's
 * zone, and a target whose queue is already in use.
 */
import { asc, eq, isNull } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { type LegacyFixture, openLegacyFixture } from '../../../test/fixtures/legacy/load.js';
import type { DbHandle } from '../../db/client.js';
import { auditEvents, patients, queueRequests, queueSettings, readings } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { importLegacy, LegacyImportError } from './importer.js';
import type { ImportReport, TableReport } from './report.js';

const clock = new ManualClock('2026-02-01T12:00:00Z');
const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const x of open.reverse()) await x.close();
});
async function fresh(shared = false): Promise<{ target: DbHandle; fixture: LegacyFixture }> {
  const target = await createTestDb();
  const fixture = await openLegacyFixture({ shared });
  open.push(target, fixture);
  return { target, fixture };
}
const table = (r: ImportReport, name: string) => r.tables.find((t) => t.table === name) as TableReport;

describe('legacy import: resume and variants', () => {
  it('an interrupted run leaves whole chunks, and re-runs complete the import exactly', async () => {
    const { target, fixture } = await fresh();
    const failAt = (table: string, chunk: number) => (t: string, n: number) => {
      if (t === table && n === chunk) throw new Error(`injected failure after ${table} chunk ${chunk}`);
    };
    await expect(
      importLegacy(target.db, fixture.sources, {
        clock,
        chunkSize: 4,
        onChunkCommitted: failAt('glucose_readings', 3),
      }),
    ).rejects.toThrow('injected failure');
    // Chunks 1–3 of readings (ids 1–12) are committed: 11 readings (9 is a double submit).
    expect(await target.db.select().from(patients)).toHaveLength(6);
    expect(await target.db.select().from(readings)).toHaveLength(11);
    expect(await target.db.select().from(queueRequests)).toHaveLength(0);
    const [stopped] = await target.db.select().from(auditEvents).where(eq(auditEvents.action, 'legacy.import'));
    expect(stopped?.outcome).toBe('error');

    // Second run: stops after the first appointments chunk (the queue step has committed).
    await expect(
      importLegacy(target.db, fixture.sources, { clock, chunkSize: 2, onChunkCommitted: failAt('appointments', 1) }),
    ).rejects.toThrow('injected failure');
    expect(await target.db.select().from(readings)).toHaveLength(27);
    expect(await target.db.select().from(queueRequests).where(isNull(queueRequests.releasedAt))).toHaveLength(5);

    const done = await importLegacy(target.db, fixture.sources, { clock, chunkSize: 4 });
    expect(done.unexplained).toBe(0);
    expect(table(done, 'users')).toMatchObject({ inserted: 0, present: 6 });
    expect(table(done, 'glucose_readings')).toMatchObject({ inserted: 0, present: 27 });
    expect(table(done, 'appointment_queue')).toMatchObject({ inserted: 0, present: 5 });
    expect(table(done, 'appointments')).toMatchObject({ inserted: 2, present: 2 });
    expect(table(done, 'appointment_resolution')).toMatchObject({ inserted: 1, present: 1 });
    expect(done.queueDays).toEqual({ history: 2, current: 3 });
    // The resumed appointments still found their CREATED queue entries.
    const linked = await target.db
      .select({ placement: queueRequests.placement, day: queueRequests.queueDay })
      .from(queueRequests)
      .where(eq(queueRequests.patientId, 3));
    expect(linked).toEqual([{ placement: 1, day: 3 }]);
    const feed = await target.db.select().from(readings).where(eq(readings.patientId, 1)).orderBy(asc(readings.id));
    expect(feed.map((r) => r.changeSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const outcomes = (await target.db.select().from(auditEvents).where(eq(auditEvents.action, 'legacy.import'))).map(
      (a) => a.outcome,
    );
    expect(outcomes).toEqual(['error', 'error', 'success']);
  }, 120_000);

  it('imports the older schema from one shared database, reading times in the given zone', async () => {
    const { target, fixture } = await fresh(true);
    await fixture.exec('login', 'alter table users drop column four_times_today, drop column streak_last_date');
    await fixture.exec('glucose', 'alter table glucose_readings drop column notes');
    await fixture.exec(
      'appointments',
      'alter table appointment_resolution drop column glucose_scale; alter table queue_config drop column open',
    );
    await target.db.update(queueSettings).set({ open: false });
    await expect(
      importLegacy(target.db, fixture.sources, { clock, sourceTimezone: 'Mars/Olympus' }),
    ).rejects.toBeInstanceOf(LegacyImportError);
    const report = await importLegacy(target.db, fixture.sources, {
      clock,
      sourceTimezone: 'America/Argentina/Buenos_Aires',
    });
    expect(report.unexplained).toBe(0);
    expect(table(report, 'glucose_readings').inserted).toBe(27);
    const [r1] = await target.db.select().from(readings).where(eq(readings.id, 1));
    expect(r1?.measuredAt.toISOString()).toBe('2026-01-16T14:05:12.318Z');
    expect(r1?.notes).toBeNull();
    const [lucia] = await target.db.select().from(patients).where(eq(patients.id, 1));
    // No streak_last_date in the source: the last local day with four readings.
    expect(lucia).toMatchObject({ fourTimesToday: 0, counterDay: null, streakLastDate: '2026-01-17', streakDays: 2 });
    const [settings] = await target.db.select().from(queueSettings);
    expect(settings).toMatchObject({ capacity: 15, open: false });
  }, 120_000);

  it('does not touch a queue already in use, and skips an id held by another patient', async () => {
    const { target, fixture } = await fresh();
    const other = await createPatient(target.db, { dni: '27999888' });
    expect(other.id).toBe(1);
    await target.db.insert(queueRequests).values({ patientId: other.id, queueDay: 1, placement: 0 });
    const report = await importLegacy(target.db, fixture.sources, { clock });
    expect(table(report, 'users').skipped).toEqual({ id_taken: 1 });
    expect(table(report, 'users').inserted).toBe(6); // user 6's e-mail no longer clashes
    expect(table(report, 'glucose_readings').skipped).toMatchObject({ user_skipped: 11 });
    expect(table(report, 'appointment_queue').skipped).toEqual({ target_queue_in_use: 7 });
    expect(table(report, 'queue_config').skipped).toEqual({ target_queue_in_use: 1 });
    expect(table(report, 'appointments').skipped).toEqual({ unknown_user: 1, user_skipped: 2, target_queue_in_use: 3 });
    expect(report.queueDays).toBeNull();
    expect(report.unexplained).toBe(0);
    const [settings] = await target.db.select().from(queueSettings);
    expect(settings?.day).toBe(1);
    const [kept] = await target.db.select().from(patients).where(eq(patients.id, 1));
    expect(kept?.dni).toBe('27999888');
  }, 120_000);
});
