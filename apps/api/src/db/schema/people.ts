import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, integer, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { at, timestamps } from './columns.js';

/**
 * Patients (legacy "users"). Identity columns (credentials, MFA, sessions) are added by the
 * identity capability; what is here is what the clinic record and the demo seed need.
 */
export const patients = pgTable(
  'patients',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dni: text('dni').notNull().unique(),
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    surname: text('surname').notNull(),
    hospitalAccount: text('hospital_account').unique(),
    birthDate: date('birth_date', { mode: 'string' }),
    diabetesType: text('diabetes_type'),
    glucoseUnit: text('glucose_unit').notNull().default('mg/dL'),
    targetLowMgDl: smallint('target_low_mg_dl').notNull().default(70),
    targetHighMgDl: smallint('target_high_mg_dl').notNull().default(180),
    timezone: text('timezone').notNull().default('America/Argentina/Buenos_Aires'),
    blocked: boolean('blocked').notNull().default(false),
    tidepoolId: text('tidepool_id'),
    streakDays: integer('streak_days').notNull().default(0),
    maxStreakDays: integer('max_streak_days').notNull().default(0),
    timesMeasured: integer('times_measured').notNull().default(0),
    /** Readings on `counter_day` modulo 4 (legacy `four_times_today`); the 4th reading of a day advances the streak. */
    fourTimesToday: smallint('four_times_today').notNull().default(0),
    counterDay: date('counter_day', { mode: 'string' }),
    /** Last local day the streak advanced (legacy `streak_last_date`). */
    streakLastDate: date('streak_last_date', { mode: 'string' }),
    /** Position of the patient's readings change feed; bumped under this row's lock (readings README). */
    readingsChangeSeq: bigint('readings_change_seq', { mode: 'number' }).notNull().default(0),
    lastReadingAt: at('last_reading_at'),
    ...timestamps,
  },
  (t) => [
    check('patients_unit_ck', sql`${t.glucoseUnit} in ('mg/dL', 'mmol/L')`),
    check(
      'patients_diabetes_type_ck',
      sql`${t.diabetesType} is null or ${t.diabetesType} in ('type1', 'type2', 'gestational', 'lada', 'mody', 'other')`,
    ),
    check(
      'patients_target_ck',
      sql`${t.targetLowMgDl} >= 40 and ${t.targetHighMgDl} <= 400 and ${t.targetLowMgDl} < ${t.targetHighMgDl}`,
    ),
  ],
);

/** Clinic staff: clinicians, assistants and admins (a person may hold several roles). */
export const staff = pgTable(
  'staff',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    username: text('username').notNull().unique(),
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    roles: text('roles').array().notNull(),
    blocked: boolean('blocked').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    check(
      'staff_roles_ck',
      sql`cardinality(${t.roles}) > 0 and ${t.roles} <@ array['clinician', 'assistant', 'admin']::text[]`,
    ),
  ],
);
