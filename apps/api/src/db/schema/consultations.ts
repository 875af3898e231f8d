import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { at, sqlList as list, timestamps } from './columns.js';
import { patients, staff } from './people.js';

/** Consultation request states (modules/appointments/README.md has the diagram). */
export const REQUEST_STATES = ['pending', 'accepted', 'denied', 'created', 'resolved', 'cancelled', 'closed'] as const;
/** States that count against the queue capacity and that a day reset closes. */
export const ACTIVE_REQUEST_STATES = ['pending', 'accepted', 'created'] as const;
/** Legacy MotivesEnum (legacy-compat.md A.7). */
export const MOTIVES = ['AJUSTE', 'HIPOGLUCEMIA', 'HIPERGLUCEMIA', 'CETOSIS', 'DUDAS', 'OTRO'] as const;

/**
 * The consultation queue: one row (id 1), seeded by the migration. Every submit takes this row's
 * lock, which serialises the capacity check and hands out per-day placements in order.
 */
export const queueSettings = pgTable(
  'queue_settings',
  {
    id: smallint('id').primaryKey().default(1),
    open: boolean('open').notNull().default(true),
    /** How many active requests (pending, accepted, created) the queue admits. */
    capacity: integer('capacity').notNull().default(15),
    /** The queue day: 1 at installation, +1 per reset. Placements restart at 0 each day. */
    day: integer('day').notNull().default(1),
    dayStartedAt: at('day_started_at').notNull().defaultNow(),
    nextPlacement: integer('next_placement').notNull().default(0),
    /** Last schedule boundary applied (`YYYY-MM-DDTHH:MM open|close`, clinic time), so each applies once. */
    scheduleKey: text('schedule_key'),
    /** Last automatic reset boundary applied (`YYYY-MM-DDTHH:MM`, clinic time). */
    autoResetKey: text('auto_reset_key'),
    updatedByStaffId: bigint('updated_by_staff_id', { mode: 'number' }).references(() => staff.id),
    ...timestamps,
  },
  (t) => [
    check('queue_settings_singleton_ck', sql`${t.id} = 1`),
    check('queue_settings_capacity_ck', sql`${t.capacity} between 0 and 10000`),
    check('queue_settings_day_ck', sql`${t.day} >= 1 and ${t.nextPlacement} >= 0`),
  ],
);

/**
 * Consultation requests. `released_at` null = the patient's current request of the queue day: at
 * most one per patient (partial unique index). Cancelling releases it at once; a day reset
 * releases every one (closing the active ones), which is when a denied or finished request stops
 * blocking a new one (legacy DENIED/CREATED semantics).
 */
export const queueRequests = pgTable(
  'queue_requests',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    patientId: bigint('patient_id', { mode: 'number' })
      .notNull()
      .references(() => patients.id),
    state: text('state').notNull().default('pending'),
    queueDay: integer('queue_day').notNull(),
    /** 0-based, in submit order within the queue day; stable (legacy `queue_placement`). */
    placement: integer('placement').notNull(),
    motive: text('motive').array().notNull().default(sql`'{}'::text[]`),
    otherMotive: text('other_motive'),
    note: text('note'),
    /** Bumped by every transition: the optimistic-concurrency token. */
    version: integer('version').notNull().default(1),
    decidedByStaffId: bigint('decided_by_staff_id', { mode: 'number' }).references(() => staff.id),
    decidedAt: at('decided_at'),
    decisionReason: text('decision_reason'),
    releasedAt: at('released_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('queue_requests_current_patient_uq').on(t.patientId).where(sql`${t.releasedAt} is null`),
    uniqueIndex('queue_requests_day_placement_uq').on(t.queueDay, t.placement),
    // Capacity counts and live positions read only the active rows.
    index('queue_requests_active_idx')
      .on(t.queueDay, t.state, t.placement)
      .where(sql`${t.state} in (${list(ACTIVE_REQUEST_STATES)})`),
    index('queue_requests_patient_idx').on(t.patientId, t.createdAt.desc()),
    check('queue_requests_state_ck', sql`${t.state} in (${list(REQUEST_STATES)})`),
    check('queue_requests_released_ck', sql`${t.state} not in ('cancelled', 'closed') or ${t.releasedAt} is not null`),
    check('queue_requests_placement_ck', sql`${t.placement} >= 0 and ${t.queueDay} >= 1`),
    check(
      'queue_requests_motive_ck',
      sql`cardinality(${t.motive}) <= 6 and ${t.motive} <@ array[${list(MOTIVES)}]::text[]`,
    ),
    check('queue_requests_other_motive_ck', sql`char_length(${t.otherMotive}) <= 200`),
    check('queue_requests_note_ck', sql`char_length(${t.note}) <= 500`),
    check('queue_requests_reason_ck', sql`char_length(${t.decisionReason}) <= 500`),
  ],
);

/** Who moved a request, when, from what to what (one row per transition; `from_state` null = submitted). */
export const queueRequestTransitions = pgTable(
  'queue_request_transitions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: bigint('request_id', { mode: 'number' })
      .notNull()
      .references(() => queueRequests.id),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actorRole: text('actor_role').notNull(),
    actorStaffId: bigint('actor_staff_id', { mode: 'number' }).references(() => staff.id),
    actorPatientId: bigint('actor_patient_id', { mode: 'number' }).references(() => patients.id),
    reason: text('reason'),
    ...timestamps,
  },
  (t) => [
    index('queue_request_transitions_request_idx').on(t.requestId, t.id),
    check('queue_request_transitions_to_ck', sql`${t.toState} in (${list(REQUEST_STATES)})`),
    check(
      'queue_request_transitions_role_ck',
      sql`${t.actorRole} in ('patient', 'clinician', 'assistant', 'admin', 'system')`,
    ),
    check('queue_request_transitions_actor_ck', sql`num_nonnulls(${t.actorStaffId}, ${t.actorPatientId}) <= 1`),
    check('queue_request_transitions_reason_ck', sql`char_length(${t.reason}) <= 500`),
  ],
);

/**
 * Treatment details a patient submits once their request is accepted (one per request). The
 * latest resolution's revision and emergency flag are kept here for the back-office lists.
 */
export const appointments = pgTable(
  'appointments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: bigint('request_id', { mode: 'number' })
      .notNull()
      .unique()
      .references(() => queueRequests.id),
    patientId: bigint('patient_id', { mode: 'number' })
      .notNull()
      .references(() => patients.id),
    glucoseObjectiveMgDl: doublePrecision('glucose_objective_mg_dl').notNull(),
    insulinType: text('insulin_type').notNull(),
    doseUnits: doublePrecision('dose_units').notNull(),
    fastInsulin: text('fast_insulin').notNull(),
    fixedDoseUnits: doublePrecision('fixed_dose_units').notNull(),
    /** Grams of carbohydrate per unit of insulin. */
    ratioGramsPerUnit: doublePrecision('ratio_grams_per_unit').notNull(),
    /** mg/dL lowered by one unit of insulin. */
    sensitivityMgDlPerUnit: doublePrecision('sensitivity_mg_dl_per_unit').notNull(),
    pumpType: text('pump_type').notNull(),
    anotherTreatment: text('another_treatment'),
    controlData: text('control_data'),
    motive: text('motive').array().notNull(),
    otherMotive: text('other_motive'),
    resolutionRevision: integer('resolution_revision'),
    resolvedAt: at('resolved_at'),
    emergencyCare: boolean('emergency_care').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index('appointments_patient_idx').on(t.patientId, t.createdAt.desc()),
    index('appointments_created_idx').on(t.createdAt.desc(), t.id.desc()),
    check('appointments_objective_ck', sql`${t.glucoseObjectiveMgDl} between 40 and 400`),
    check('appointments_dose_ck', sql`${t.doseUnits} > 0 and ${t.doseUnits} <= 300`),
    check('appointments_fixed_dose_ck', sql`${t.fixedDoseUnits} between 0 and 300`),
    check('appointments_ratio_ck', sql`${t.ratioGramsPerUnit} > 0 and ${t.ratioGramsPerUnit} <= 150`),
    check('appointments_sensitivity_ck', sql`${t.sensitivityMgDlPerUnit} > 0 and ${t.sensitivityMgDlPerUnit} <= 500`),
    check(
      'appointments_motive_ck',
      sql`cardinality(${t.motive}) between 1 and 6 and ${t.motive} <@ array[${list(MOTIVES)}]::text[]`,
    ),
  ],
);

/**
 * A clinician's resolution of an appointment. Rows are never updated: a correction is the next
 * revision (author and time of each kept); the highest revision is the current resolution.
 */
export const appointmentResolutions = pgTable(
  'appointment_resolutions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    appointmentId: bigint('appointment_id', { mode: 'number' })
      .notNull()
      .references(() => appointments.id),
    revision: integer('revision').notNull(),
    authorStaffId: bigint('author_staff_id', { mode: 'number' })
      .notNull()
      .references(() => staff.id),
    changeBasalType: text('change_basal_type'),
    changeBasalDoseUnits: doublePrecision('change_basal_dose_units'),
    changeBasalTime: text('change_basal_time'),
    changeFastType: text('change_fast_type'),
    changeRatioGramsPerUnit: doublePrecision('change_ratio_grams_per_unit'),
    changeSensitivityMgDlPerUnit: doublePrecision('change_sensitivity_mg_dl_per_unit'),
    emergencyCare: boolean('emergency_care').notNull(),
    inPersonVisitNeeded: boolean('in_person_visit_needed').notNull(),
    glucoseScale: jsonb('glucose_scale').$type<(string | number)[][]>(),
    notes: text('notes'),
    correctionReason: text('correction_reason'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('appointment_resolutions_revision_uq').on(t.appointmentId, t.revision),
    check('appointment_resolutions_revision_ck', sql`${t.revision} >= 1`),
    check('appointment_resolutions_correction_ck', sql`(${t.revision} = 1) = (${t.correctionReason} is null)`),
    check('appointment_resolutions_time_ck', sql`${t.changeBasalTime} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`),
    check('appointment_resolutions_notes_ck', sql`char_length(${t.notes}) <= 4000`),
  ],
);

/** Clinical notes on a patient's record. Never edited: a change is an amendment (below). */
export const notes = pgTable(
  'notes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    patientId: bigint('patient_id', { mode: 'number' })
      .notNull()
      .references(() => patients.id),
    authorStaffId: bigint('author_staff_id', { mode: 'number' })
      .notNull()
      .references(() => staff.id),
    text: text('text').notNull(),
    ...timestamps,
  },
  (t) => [
    index('notes_patient_idx').on(t.patientId, t.createdAt.desc(), t.id.desc()),
    check('notes_text_ck', sql`char_length(${t.text}) between 1 and 10000`),
  ],
);

export const noteAmendments = pgTable(
  'note_amendments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    noteId: bigint('note_id', { mode: 'number' })
      .notNull()
      .references(() => notes.id),
    authorStaffId: bigint('author_staff_id', { mode: 'number' })
      .notNull()
      .references(() => staff.id),
    text: text('text').notNull(),
    reason: text('reason'),
    ...timestamps,
  },
  (t) => [
    index('note_amendments_note_idx').on(t.noteId, t.id),
    check('note_amendments_text_ck', sql`char_length(${t.text}) between 1 and 10000`),
    check('note_amendments_reason_ck', sql`char_length(${t.reason}) <= 500`),
  ],
);
