import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { at, sqlList as list } from './columns.js';
import { patients } from './people.js';

export const READING_CONTEXTS = [
  'fasting',
  'breakfast',
  'lunch',
  'snack',
  'dinner',
  'exercise',
  'other_meal',
  'bedtime',
  'other',
] as const;
export const READING_SOURCES = ['manual', 'meter', 'cgm', 'import', 'legacy'] as const;
/** Bluetooth Glucose Profile sample types (GATT 0x2A18), plus `unknown` for legacy imports. */
export const SAMPLE_TYPES = [
  'capillary_whole_blood',
  'capillary_plasma',
  'venous_whole_blood',
  'venous_plasma',
  'arterial_whole_blood',
  'arterial_plasma',
  'undetermined_whole_blood',
  'undetermined_plasma',
  'interstitial_fluid',
  'control_solution',
  'unknown',
] as const;
export const SAMPLE_LOCATIONS = ['finger', 'alternate_site', 'earlobe', 'control_solution', 'unknown'] as const;

/**
 * Glucose readings, stored in mg/dL with one decimal (clinical.md). A meter's "LO"/"HI" is a
 * `range_flag` with no value. Edits and deletes are soft: `revision` counts edits, `deleted_at`
 * marks a tombstone that stays in the change feed. `change_seq` is the per-patient change-feed
 * position, taken under the patient's row lock so its order is the commit order (readings README).
 */
export const readings = pgTable(
  'readings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    patientId: bigint('patient_id', { mode: 'number' })
      .notNull()
      .references(() => patients.id),
    valueMgDl: numeric('value_mg_dl', { precision: 5, scale: 1, mode: 'number' }),
    rangeFlag: text('range_flag'),
    unit: text('unit').notNull().default('mg/dL'),
    measuredAt: at('measured_at').notNull(),
    context: text('context').notNull().default('other'),
    source: text('source').notNull(),
    deviceId: text('device_id'),
    sequenceNumber: integer('sequence_number'),
    /** The device's own time for the reading, as first received; never edited (dedup key). */
    deviceTime: at('device_time'),
    sampleType: text('sample_type'),
    sampleLocation: text('sample_location'),
    notes: text('notes'),
    enteredByKind: text('entered_by_kind').notNull().default('patient'),
    enteredById: bigint('entered_by_id', { mode: 'number' }),
    revision: integer('revision').notNull().default(1),
    changeSeq: bigint('change_seq', { mode: 'number' }).notNull(),
    deletedAt: at('deleted_at'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // Lists and statistics read live readings only, newest first (bench: the order must match).
    index('readings_patient_measured_idx')
      .on(t.patientId, t.measuredAt.desc(), t.id.desc())
      .where(sql`${t.deletedAt} is null`),
    uniqueIndex('readings_patient_change_seq_uq').on(t.patientId, t.changeSeq),
    // Device dedup (issue 3): a meter's sequence number wraps at 65,536, so the device time is
    // part of the key; CGM streams without sequence numbers are keyed by device time alone.
    // Deleted readings keep their key, so a re-sent deleted reading is a duplicate, not a resurrection.
    uniqueIndex('readings_device_seq_uq')
      .on(t.patientId, t.deviceId, t.sequenceNumber, t.deviceTime)
      .where(sql`${t.deviceId} is not null and ${t.sequenceNumber} is not null`),
    uniqueIndex('readings_device_time_uq')
      .on(t.patientId, t.deviceId, t.deviceTime)
      .where(sql`${t.deviceId} is not null and ${t.sequenceNumber} is null`),
    check('readings_value_ck', sql`${t.valueMgDl} between 10 and 1000`),
    check('readings_value_or_flag_ck', sql`(${t.valueMgDl} is null) = (${t.rangeFlag} is not null)`),
    check('readings_flag_ck', sql`${t.rangeFlag} in ('LO', 'HI')`),
    check('readings_unit_ck', sql`${t.unit} in ('mg/dL', 'mmol/L')`),
    check('readings_context_ck', sql`${t.context} in (${list(READING_CONTEXTS)})`),
    check('readings_source_ck', sql`${t.source} in (${list(READING_SOURCES)})`),
    check('readings_sample_type_ck', sql`${t.sampleType} in (${list(SAMPLE_TYPES)})`),
    check('readings_sample_location_ck', sql`${t.sampleLocation} in (${list(SAMPLE_LOCATIONS)})`),
    check('readings_sequence_ck', sql`${t.sequenceNumber} >= 0`),
    check('readings_notes_ck', sql`char_length(${t.notes}) <= 1000`),
    check('readings_device_id_ck', sql`char_length(${t.deviceId}) between 1 and 128`),
    check('readings_entered_by_ck', sql`${t.enteredByKind} in ('patient', 'staff', 'device', 'system')`),
  ],
);

/**
 * Per patient and local day (patient timezone): counts per consensus band and the sums a mean and
 * SD need. Maintained in the same transaction as every reading write (create, edit, delete), so
 * triage over 10,000 patients reads ≈ 14 small rows per patient instead of every reading.
 */
export const readingDaySummaries = pgTable(
  'reading_day_summaries',
  {
    patientId: bigint('patient_id', { mode: 'number' })
      .notNull()
      .references(() => patients.id),
    day: date('day', { mode: 'string' }).notNull(),
    count: integer('count').notNull().default(0),
    /** Readings with a number (LO/HI flags count in the bands but not in the sums). */
    valuedCount: integer('valued_count').notNull().default(0),
    sumMgDl: doublePrecision('sum_mg_dl').notNull().default(0),
    sumSqMgDl: doublePrecision('sum_sq_mg_dl').notNull().default(0),
    veryLow: integer('very_low').notNull().default(0),
    low: integer('low').notNull().default(0),
    inRange: integer('in_range').notNull().default(0),
    high: integer('high').notNull().default(0),
    veryHigh: integer('very_high').notNull().default(0),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.day] }), index('reading_day_summaries_day_idx').on(t.day)],
);

/** The achievements catalogue (clinical.md: id, name, attribute, threshold). Seeded by migration. */
export const achievements = pgTable(
  'achievements',
  {
    id: smallint('id').primaryKey(),
    name: text('name').notNull(),
    attribute: text('attribute').notNull(),
    threshold: integer('threshold').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('achievements_attribute_ck', sql`${t.attribute} in ('times_measured', 'max_streak')`),
    check('achievements_threshold_ck', sql`${t.threshold} > 0`),
  ],
);

/**
 * `Idempotency-Key` replays (issue 3): the first response to (caller, key) is stored for 24 h.
 * The row is inserted in the same transaction as the write it guards, so two concurrent requests
 * with one key serialise on the primary key and the second replays the first's answer.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** The caller: `patient:12`, `staff:3`, `device:7` (the API key id). */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** Method and route pattern: a key reused on another route is a mismatch too. */
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: smallint('status_code').notNull(),
    response: jsonb('response').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);
