import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { patients } from './people.js';

/**
 * Glucose readings, stored in mg/dL with one decimal (clinical.md). The readings capability adds
 * idempotency keys, change sequence and soft-delete columns on top of this table.
 */
export const readings = pgTable(
  'readings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    patientId: bigint('patient_id', { mode: 'number' })
      .notNull()
      .references(() => patients.id),
    valueMgDl: numeric('value_mg_dl', { precision: 5, scale: 1, mode: 'number' }).notNull(),
    unit: text('unit').notNull().default('mg/dL'),
    measuredAt: timestamp('measured_at', { withTimezone: true, mode: 'date' }).notNull(),
    context: text('context').notNull().default('other'),
    source: text('source').notNull(),
    deviceId: text('device_id'),
    sequenceNumber: integer('sequence_number'),
    notes: text('notes'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('readings_patient_measured_idx').on(t.patientId, t.measuredAt.desc(), t.id),
    check('readings_value_ck', sql`${t.valueMgDl} between 10 and 1000`),
    check('readings_unit_ck', sql`${t.unit} in ('mg/dL', 'mmol/L')`),
    check(
      'readings_context_ck',
      sql`${t.context} in ('fasting', 'breakfast', 'lunch', 'snack', 'dinner', 'exercise', 'other_meal', 'bedtime', 'other')`,
    ),
    check('readings_source_ck', sql`${t.source} in ('manual', 'meter', 'cgm', 'import', 'legacy')`),
  ],
);
