/**
 * seedDemoClinic on a real (PGlite or PostgreSQL) database: the bulk unnest insert stores exactly
 * what the generators produce, the result counts what was written, and re-seeding is safe.
 */
import { asc, count, desc, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { usingPostgres } from '../../../test/build-test-app.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { credentials, patients, readings, staff } from '../schema/index.js';
import { generatePatients, generateReadings, type SeedOptions, seedDemoClinic } from './index.js';

const TZ = 'America/Argentina/Buenos_Aires';
const NOW = new Date('2025-06-15T12:34:56.000Z');
const base: SeedOptions = { patients: 5, days: 3, seed: 7, progress: false, timezone: TZ, now: NOW };

const api = useTestApp({ app: false });

beforeAll(async () => {
  expect(api.db.kind).toBe(usingPostgres ? 'postgres' : 'pglite');
});

async function tableCounts() {
  const n = async (table: typeof staff | typeof patients | typeof readings) =>
    (await api.db.db.select({ n: count() }).from(table))[0]?.n ?? -1;
  return { staff: await n(staff), patients: await n(patients), readings: await n(readings) };
}

/** What the generators say the given options should write. */
function expectedReadings(options: SeedOptions) {
  const people = generatePatients(options.seed, options.patients, { timezone: options.timezone });
  return people.map((p) => ({ patient: p, readings: [...generateReadings(p, { now: NOW, days: options.days })] }));
}

describe('seedDemoClinic', () => {
  it('writes a small clinic whose row counts match the result and the generators', async () => {
    const expected = expectedReadings(base);
    const total = expected.reduce((n, e) => n + e.readings.length, 0);

    const result = await seedDemoClinic(api.db, base);

    expect(result).toMatchObject({ staff: 8, patients: 5, readings: total });
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(await tableCounts()).toEqual({ staff: 8, patients: 5, readings: total });
  });

  it('stores each reading exactly as generated (value, instant, device, counter, context)', async () => {
    for (const { patient, readings: generated } of expectedReadings(base)) {
      const [row] = await api.db.db.select({ id: patients.id }).from(patients).where(eq(patients.dni, patient.dni));
      expect(row).toBeDefined();
      const stored = await api.db.db
        .select({
          valueMgDl: readings.valueMgDl,
          measuredAt: readings.measuredAt,
          context: readings.context,
          source: readings.source,
          deviceId: readings.deviceId,
          sequenceNumber: readings.sequenceNumber,
          unit: readings.unit,
        })
        .from(readings)
        .where(eq(readings.patientId, row?.id ?? -1))
        .orderBy(asc(readings.measuredAt));
      expect(stored.map(({ unit: _, ...r }) => r)).toEqual(generated);
      expect(stored.every((r) => r.unit === 'mg/dL')).toBe(true);
    }
  });

  it('stores the patients with their identifiers and clinical defaults', async () => {
    const [first] = generatePatients(base.seed, 1, { timezone: TZ });
    const [row] = await api.db.db
      .select()
      .from(patients)
      .where(eq(patients.dni, first?.dni ?? ''));
    expect(row).toMatchObject({
      email: first?.email,
      hospitalAccount: first?.hospitalAccount,
      birthDate: first?.birthDate,
      diabetesType: first?.diabetesType,
      timezone: TZ,
    });
  });

  it('seeding the same seed again is a no-op, not a crash', async () => {
    const before = await tableCounts();
    const again = await seedDemoClinic(api.db, base);
    expect(again).toMatchObject({ staff: 0, patients: 0, readings: 0 });
    expect(await tableCounts()).toEqual(before);
  });

  it('the same seed with more patients adds only the new ones', async () => {
    const before = await tableCounts();
    const more = { ...base, patients: 7 };
    const newOnes = expectedReadings(more).slice(5);
    const result = await seedDemoClinic(api.db, more);
    expect(result).toMatchObject({
      staff: 0,
      patients: 2,
      readings: newOnes.reduce((n, e) => n + e.readings.length, 0),
    });
    expect(await tableCounts()).toEqual({
      staff: before.staff,
      patients: before.patients + 2,
      readings: before.readings + result.readings,
    });
  });

  it('another seed adds its own clinic; parallel small transactions keep ids in generation order', async () => {
    const before = await tableCounts();
    const other = { ...base, seed: 8, patients: 6, days: 2, chunkRows: 97, patientsPerTransaction: 1, concurrency: 3 };
    const expected = expectedReadings(other);
    const result = await seedDemoClinic(api.db, other);
    expect(result.patients).toBe(6);
    expect(result.readings).toBe(expected.reduce((n, e) => n + e.readings.length, 0));
    expect(result.readings).toBeGreaterThan(2 * 97);
    // Staff whose username the first seed already created are kept once, not duplicated.
    expect(result.staff).toBeLessThanOrEqual(8);
    expect(await tableCounts()).toEqual({
      staff: before.staff + result.staff,
      patients: before.patients + 6,
      readings: before.readings + result.readings,
    });
    const newest = await api.db.db.select({ dni: patients.dni }).from(patients).orderBy(desc(patients.id)).limit(6);
    expect(newest.map((r) => r.dni).reverse()).toEqual(expected.map((e) => e.patient.dni));
  });

  it('an interrupted run keeps whole patients, and a re-run completes the rest', async () => {
    const before = await tableCounts();
    const run = { ...base, seed: 10, patients: 6, days: 2, patientsPerTransaction: 1, concurrency: 3 };
    const expected = expectedReadings(run);
    const count = (from: number, to: number) => expected.slice(from, to).reduce((n, e) => n + e.readings.length, 0);
    const failing = expected[3]?.patient.dni;
    // A trigger stands in for a crash while writing the fourth patient.
    await api.db.db.execute(
      sql.raw(`create function seed_test_fail() returns trigger language plpgsql as $$
        begin if new.dni = '${failing}' then raise exception 'simulated failure'; end if; return new; end $$`),
    );
    await api.db.db.execute(
      sql.raw('create trigger seed_test_fail before insert on patients for each row execute function seed_test_fail()'),
    );
    try {
      await expect(seedDemoClinic(api.db, run)).rejects.toThrow();
    } finally {
      await api.db.db.execute(sql.raw('drop trigger seed_test_fail on patients'));
      await api.db.db.execute(sql.raw('drop function seed_test_fail()'));
    }
    expect(await tableCounts()).toMatchObject({
      patients: before.patients + 3,
      readings: before.readings + count(0, 3),
    });
    const rerun = await seedDemoClinic(api.db, run);
    expect(rerun).toMatchObject({ patients: 3, readings: count(3, 6) });
  });

  it('with a demo password, every account it creates gets a credential (and only those)', async () => {
    const before = (await api.db.db.select({ n: count() }).from(credentials))[0]?.n ?? 0;
    const result = await seedDemoClinic(api.db, {
      ...base,
      seed: 99,
      patients: 3,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
    });
    const after = (await api.db.db.select({ n: count() }).from(credentials))[0]?.n ?? 0;
    expect(result.patients).toBe(3);
    expect(after - before).toBe(result.staff + result.patients);
    const again = await seedDemoClinic(api.db, { ...base, seed: 99, patients: 3, passwordHash: 'x' });
    expect(again.patients).toBe(0);
    expect((await api.db.db.select({ n: count() }).from(credentials))[0]?.n).toBe(after);
  });

  it('writes nothing to stderr when progress is off', async () => {
    const write = vi.spyOn(process.stderr, 'write');
    try {
      await seedDemoClinic(api.db, { ...base, seed: 9, patients: 1, days: 1 });
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});
