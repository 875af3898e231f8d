/**
 * The demo clinic on first start: seeded only in development, only on an empty database, never in
 * production; later starts seed nothing but still report the sign-in hint.
 */
import { count, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, testConfig } from '../../../test/build-test-app.js';
import type { Config } from '../../config/index.js';
import { hashPassword, verifyPassword } from '../../modules/auth/auth.passwords.js';
import type { DbHandle } from '../client.js';
import { credentials, patients, readings, staff } from '../schema/index.js';
import {
  DEMO_PASSWORD,
  DEMO_SEED,
  demoClinicOnStart,
  demoSignInMessage,
  firstStartDecision,
  staffAccountsLine,
} from './demo.js';
import { generateStaff } from './people.js';

const passwords = {
  hash: hashPassword,
  verify: (password: string, stored: string) => verifyPassword(password, stored, 'argon2id'),
};
const quiet = { info: () => {} };
// Small: the rule under test is when seeding happens, not the generator (seed.test.ts covers it).
const small = { patients: 3, days: 2, firstCgmDays: 5, now: new Date('2026-03-01T12:00:00Z') };

const development = () => testConfig({ NODE_ENV: 'development' });
/** What loadConfig would give in production, without the production secrets it demands. */
const production = (): Config => ({
  ...development(),
  env: 'production',
  isProduction: true,
  demoSeedOnFirstStart: true,
});

let handle: DbHandle;

async function counts() {
  const n = async (table: typeof staff | typeof patients | typeof readings) =>
    (await handle.db.select({ n: count() }).from(table))[0]?.n ?? -1;
  return { staff: await n(staff), patients: await n(patients), readings: await n(readings) };
}

describe('firstStartDecision', () => {
  it('seeds only a development server on an empty database that did not opt out', () => {
    expect(firstStartDecision(development(), true)).toBe('seed');
    expect(firstStartDecision(development(), false)).toBe('not-empty');
    expect(firstStartDecision(testConfig({ NODE_ENV: 'development', DEMO_SEED_ON_FIRST_START: 'false' }), true)).toBe(
      'opted-out',
    );
    expect(firstStartDecision(testConfig(), true)).toBe('not-development');
    expect(firstStartDecision(production(), true)).toBe('production');
  });
});

describe('demoClinicOnStart', () => {
  // A fresh database per test: "empty" is the condition under test.
  beforeEach(async () => {
    handle = await createTestDb();
  });
  afterEach(async () => {
    await handle?.close();
  });

  it('first start in development on an empty database: seeds, and the demo accounts sign in', async () => {
    const logged: string[] = [];
    const result = await demoClinicOnStart(
      handle,
      development(),
      { info: (_o, m) => logged.push(m) },
      passwords,
      small,
    );
    expect(result.decision).toBe('seed');
    expect(result.signInHint).toBe(true);
    expect(result.seeded).toMatchObject({ staff: 8, patients: 3 });
    expect(await counts()).toMatchObject({ staff: 8, patients: 3, readings: result.seeded?.readings });
    expect(logged.join('\n')).toContain('DEMO_SEED_ON_FIRST_START=false');
    const admin = generateStaff(DEMO_SEED).find((p) => p.roles.includes('admin'));
    const [row] = await handle.db
      .select({ hash: credentials.passwordHash })
      .from(credentials)
      .innerJoin(staff, eq(credentials.staffId, staff.id))
      .where(eq(staff.username, admin?.username ?? ''));
    expect(await verifyPassword(DEMO_PASSWORD, row?.hash ?? '', 'argon2id')).toBe(true);
  });

  it('a later start seeds nothing more but still gives the sign-in hint; none once the password changed', async () => {
    await demoClinicOnStart(handle, development(), quiet, passwords, small);
    const before = await counts();
    const again = await demoClinicOnStart(handle, development(), quiet, passwords, small);
    expect(again).toEqual({ decision: 'not-empty', seeded: null, signInHint: true });
    expect(await counts()).toEqual(before);
    await handle.db.update(credentials).set({ passwordHash: await hashPassword('Another-Long-Passphrase-1') });
    expect((await demoClinicOnStart(handle, development(), quiet, passwords, small)).signInHint).toBe(false);
  });

  it('refuses in production, even on an empty database with the key on: nothing written, no hint', async () => {
    const result = await demoClinicOnStart(handle, production(), quiet, passwords, small);
    expect(result).toEqual({ decision: 'production', seeded: null, signInHint: false });
    expect(await counts()).toEqual({ staff: 0, patients: 0, readings: 0 });
  });

  it('never seeds a database that already holds a patient, nor a test or opted-out server', async () => {
    await handle.db.insert(patients).values({
      dni: '30111222',
      email: 'real.person@example.org',
      name: 'Real',
      surname: 'Person',
      hospitalAccount: 'HC-REAL-1',
    });
    expect((await demoClinicOnStart(handle, development(), quiet, passwords, small)).decision).toBe('not-empty');
    await handle.db.delete(patients);
    const optedOut = testConfig({ NODE_ENV: 'development', DEMO_SEED_ON_FIRST_START: 'false' });
    expect((await demoClinicOnStart(handle, optedOut, quiet, passwords, small)).decision).toBe('opted-out');
    expect((await demoClinicOnStart(handle, testConfig(), quiet, passwords, small)).decision).toBe('not-development');
    expect(await counts()).toEqual({ staff: 0, patients: 0, readings: 0 });
  });

  it('gives the first CGM patient the long history (firstCgmDays) and the others the short one', async () => {
    await demoClinicOnStart(handle, development(), quiet, passwords, small);
    const spans = await handle.db
      .select({
        patientId: readings.patientId,
        days: sql<number>`extract(epoch from max(${readings.measuredAt}) - min(${readings.measuredAt})) / 86400`,
        cgm: sql<number>`count(*) filter (where ${readings.source} = 'cgm')`,
      })
      .from(readings)
      .groupBy(readings.patientId);
    const long = spans.filter((s) => Number(s.days) > 2.01);
    expect(long).toHaveLength(1);
    expect(Number(long[0]?.days)).toBeGreaterThan(4);
    expect(Number(long[0]?.cgm)).toBeGreaterThan(0);
  });
});

describe('the sign-in hint', () => {
  it('names every staff username by role and the demo password', () => {
    const people = generateStaff(DEMO_SEED);
    const message = demoSignInMessage(DEMO_SEED, 'http://127.0.0.1:3000/admin/');
    expect(message).toContain('http://127.0.0.1:3000/admin/');
    expect(message).toContain(DEMO_PASSWORD);
    for (const p of people) expect(message).toContain(p.username);
    expect(staffAccountsLine(people)).toMatch(/^admin: [^;]+; clinician: [^;]+; assistant: [^;]+$/);
  });
});
