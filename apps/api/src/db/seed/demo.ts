/**
 * The newcomer's way in: on the first start of a development server on an empty database, the
 * demo clinic is seeded and the start log names the staff accounts and their password; later
 * starts print the same sign-in hint while the demo admin still has the demo password.
 *
 * Never in production (refused here as well as by the config, which turns the key off outside
 * development), and never on a database holding any staff or patient: seeding only ever adds a
 * shared, published password to a database nobody uses yet.
 *
 * Password hashing comes in as a parameter: the data layer does not import the auth module.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Config } from '../../config/index.js';
import type { DbHandle, Executor } from '../client.js';
import { credentials, patients, staff } from '../schema/index.js';
import type { SeedOptions, SeedResult } from './index.js';
import { seedDemoClinic } from './index.js';
import { generateStaff, type SeedStaff } from './people.js';

/** Password of seeded demo accounts (documented in the README; seeding is refused in production). */
export const DEMO_PASSWORD = 'Demo-Diabetify-2026';
export const DEMO_SEED = 42;
/** Small enough to seed in seconds; the first CGM patient gets 90 days for AGP and period demos. */
export const FIRST_START_SIZE = { patients: 12, days: 30, firstCgmDays: 90 } as const;

const ROLE_ORDER = ['admin', 'clinician', 'assistant'] as const;

/** `admin: ana.lopez; clinician: dr.garcia, dra.fernandez, …` — who can sign in to the back-office. */
export function staffAccountsLine(people: readonly SeedStaff[]): string {
  return ROLE_ORDER.map((role) => {
    const names = people.filter((p) => p.roles.includes(role)).map((p) => p.username);
    return names.length > 0 ? `${role}: ${names.join(', ')}` : '';
  })
    .filter((s) => s !== '')
    .join('; ');
}

export function demoSignInMessage(seed: number, adminUrl: string): string {
  return `demo sign-in at ${adminUrl} with password "${DEMO_PASSWORD}" as ${staffAccountsLine(generateStaff(seed))}`;
}

export type FirstStartDecision = 'seed' | 'production' | 'not-development' | 'opted-out' | 'not-empty';

/** Whether this start seeds the demo clinic; the reason when it does not. */
export function firstStartDecision(config: Config, empty: boolean): FirstStartDecision {
  if (config.isProduction) return 'production';
  if (config.env !== 'development') return 'not-development';
  if (!config.demoSeedOnFirstStart) return 'opted-out';
  return empty ? 'seed' : 'not-empty';
}

/** No staff and no patients: nobody uses this database yet. */
export async function isEmptyClinic(db: Executor): Promise<boolean> {
  const anyStaff = await db.select({ id: staff.id }).from(staff).limit(1);
  const anyPatient = await db.select({ id: patients.id }).from(patients).limit(1);
  return anyStaff.length === 0 && anyPatient.length === 0;
}

/** The demo admin of `seed` exists and still signs in with the demo password. */
export async function demoPasswordStillWorks(db: Executor, seed: number, passwords: DemoPasswords): Promise<boolean> {
  const admin = generateStaff(seed).find((p) => p.roles.includes('admin'));
  if (!admin) return false;
  const rows = await db
    .select({ hash: credentials.passwordHash, algo: credentials.passwordAlgo })
    .from(staff)
    .innerJoin(credentials, eq(credentials.staffId, staff.id))
    .where(inArray(staff.username, [admin.username]))
    .limit(1);
  const row = rows[0];
  if (!row?.hash || row.algo !== 'argon2id') return false;
  return passwords.verify(DEMO_PASSWORD, row.hash);
}

/** argon2id hashing and verification, from modules/auth/auth.passwords. */
export interface DemoPasswords {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export interface DemoStartLog {
  info(obj: object, msg: string): void;
}

export interface DemoStartResult {
  decision: FirstStartDecision;
  seeded: SeedResult | null;
  /** The demo admin still signs in with the demo password: the start log prints the sign-in hint. */
  signInHint: boolean;
}

/**
 * Called by the server after migrations, before anything else writes: seeds when the decision
 * says so, and returns the sign-in hint whenever the demo accounts still use the demo password
 * (the server prints it last, after the URLs).
 */
export async function demoClinicOnStart(
  handle: DbHandle,
  config: Config,
  log: DemoStartLog,
  passwords: DemoPasswords,
  options: Partial<Pick<SeedOptions, 'now' | 'patients' | 'days' | 'firstCgmDays'>> = {},
): Promise<DemoStartResult> {
  if (config.isProduction) return { decision: 'production', seeded: null, signInHint: false };
  const decision = firstStartDecision(config, await isEmptyClinic(handle.db));
  let seeded: SeedResult | null = null;
  if (decision === 'seed') {
    log.info(
      { seed: DEMO_SEED, ...FIRST_START_SIZE },
      'first start on an empty development database: seeding the demo clinic (DEMO_SEED_ON_FIRST_START=false to skip)',
    );
    seeded = await seedDemoClinic(handle, {
      ...FIRST_START_SIZE,
      ...options,
      seed: DEMO_SEED,
      progress: false,
      timezone: config.clinic.timezone,
      passwordHash: await passwords.hash(DEMO_PASSWORD),
    });
    log.info({ ...seeded }, `demo clinic seeded: ${seeded.staff} staff, ${seeded.patients} patients`);
  }
  const signInHint = await demoPasswordStillWorks(handle.db, DEMO_SEED, passwords);
  return { decision, seeded, signInHint };
}
