/**
 * The old appointments service's wire shapes (legacy-compat.md A.6, B, C.3) and their mapping to
 * the consultation domain. Pure. Field limits are the /v1 schemas' own (reused, not restated):
 * a value /v1 refuses is refused here too, as a FastAPI 422, before it could reach a database check.
 */
import { type TSchema, Type } from 'typebox';
import {
  type Appointment,
  AppointmentBody,
  type Resolution,
  ResolutionBody,
} from '../appointments/appointments.schema.js';
import { type LegacyState, legacyStateOf, type RequestState } from '../appointments/appointments.states.js';
import { LegacyValidationError } from './legacy.errors.js';

/** The `detail` texts the app string-matches (A.6, `appointment.service.ts` `handleError`). */
export const LEGACY_TEXT = {
  alreadyQueued: 'Appointment already exists in queue',
  queueFull: 'Appointment Queue Full',
  queueClosed: 'Appointment Queue is not open',
  notAccepted: "Appointment wasn't accepted yet",
  notInQueue: 'Appointment does not exist in queue',
  noAppointment: 'Appointment does not exist',
  noResolution: 'Resolution not found',
  resolutionExists: 'Resolution already exists for this appointment',
} as const;

// The shared FastAPI error bodies, under the names the appointment route files use.
export { Detail as LegacyDetail, ValidationDetail as LegacyValidationDetail } from './legacy.responses.js';

const LEGACY_STATES = ['NONE', 'PENDING', 'ACCEPTED', 'DENIED', 'CREATED'] as const satisfies readonly LegacyState[];
export const LegacyStateSchema = Type.Enum(LEGACY_STATES);

// ---- queue entries (`appointment_queue` rows) ----

export const LegacyQueueEntry = Type.Object({
  queue_placement: Type.Integer(),
  user_id: Type.Integer(),
  appointment_state: LegacyStateSchema,
});

export function toLegacyQueueEntry(row: { placement: number; patientId: number; state: RequestState }) {
  return { queue_placement: row.placement, user_id: row.patientId, appointment_state: legacyStateOf(row) };
}

/** Back-office list → the domain states it shows (a resolution keeps CREATED, A.6). */
export const LIST_STATES: Record<'pending' | 'accepted' | 'created', readonly RequestState[]> = {
  pending: ['pending'],
  accepted: ['accepted'],
  created: ['created', 'resolved'],
};

// ---- the appointment form and object ----

// `Type.Required` drops the optional marks, so the legacy form decides presence itself.
const p = Type.Required(AppointmentBody).properties;

/**
 * `POST /appointments/create` (A.6 table). `control_data` may be `""` (the app's form field was
 * removed) and is tolerated when absent; `other_motive` and `another_treatment` may be `""` or null.
 */
export const LegacyAppointmentForm = Type.Object({
  glucose_objective: p.glucoseObjective,
  insulin_type: p.insulinType,
  dose: p.dose,
  fast_insulin: p.fastInsulin,
  fixed_dose: p.fixedDose,
  ratio: p.ratio,
  sensitivity: p.sensitivity,
  pump_type: p.pumpType,
  control_data: Type.Optional(p.controlData),
  motive: p.motive,
  other_motive: Type.Optional(p.otherMotive),
  another_treatment: Type.Optional(p.anotherTreatment),
});

export interface LegacyAppointmentFormValue {
  glucose_objective: number;
  insulin_type: string;
  dose: number;
  fast_insulin: string;
  fixed_dose: number;
  ratio: number;
  sensitivity: number;
  pump_type: string;
  control_data?: string | null;
  motive: AppointmentBody['motive'];
  other_motive?: string | null;
  another_treatment?: string | null;
}

/** Units match one to one: glucose_objective mg/dL, doses in units, ratio g/unit, sensitivity mg/dL/unit. */
export function toAppointmentBody(form: LegacyAppointmentFormValue): AppointmentBody {
  return {
    glucoseObjective: form.glucose_objective,
    insulinType: form.insulin_type,
    dose: form.dose,
    fastInsulin: form.fast_insulin,
    fixedDose: form.fixed_dose,
    ratio: form.ratio,
    sensitivity: form.sensitivity,
    pumpType: form.pump_type,
    controlData: form.control_data ?? null,
    motive: form.motive,
    otherMotive: form.other_motive ?? null,
    anotherTreatment: form.another_treatment ?? null,
  };
}

export const LegacyAppointment = Type.Object({
  appointment_id: Type.Integer(),
  user_id: Type.Integer(),
  glucose_objective: Type.Number(),
  insulin_type: Type.String(),
  dose: Type.Number(),
  fast_insulin: Type.String(),
  fixed_dose: Type.Number(),
  ratio: Type.Number(),
  sensitivity: Type.Number(),
  pump_type: Type.String(),
  control_data: Type.String(),
  motive: Type.Array(Type.String()),
  other_motive: Type.Union([Type.String(), Type.Null()]),
  another_treatment: Type.Union([Type.String(), Type.Null()]),
});

/** The domain keeps a blank free text as null; the old `control_data` column was a non-null string. */
export function toLegacyAppointment(a: Appointment) {
  return {
    appointment_id: a.id,
    user_id: a.patient.id,
    glucose_objective: a.glucoseObjective,
    insulin_type: a.insulinType,
    dose: a.dose,
    fast_insulin: a.fastInsulin,
    fixed_dose: a.fixedDose,
    ratio: a.ratio,
    sensitivity: a.sensitivity,
    pump_type: a.pumpType,
    control_data: a.controlData ?? '',
    motive: a.motive,
    other_motive: a.otherMotive,
    another_treatment: a.anotherTreatment,
  };
}

// ---- resolutions ----

const r = Type.Required(ResolutionBody).properties;
/** The old columns were plain strings: an admin who leaves one empty sends `""` (kept as "no change"). */
const orEmpty = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Literal('')]);

/** `POST /appointments/create_resolution` (A.6 resolution fields, `glucose_scale` optional). */
export const LegacyResolutionForm = Type.Object({
  appointment_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  change_basal_type: orEmpty(r.changeBasalType),
  change_basal_dose: r.changeBasalDose,
  change_basal_time: orEmpty(r.changeBasalTime),
  change_fast_type: orEmpty(r.changeFastType),
  change_ratio: r.changeRatio,
  change_sensitivity: r.changeSensitivity,
  emergency_care: r.emergencyCare,
  needed_physical_appointment: r.inPersonVisitNeeded,
  glucose_scale: Type.Optional(r.glucoseScale),
});

export interface LegacyResolutionFormValue {
  appointment_id: number;
  change_basal_type: string | null;
  change_basal_dose: number | null;
  change_basal_time: string | null;
  change_fast_type: string | null;
  change_ratio: number | null;
  change_sensitivity: number | null;
  emergency_care: boolean;
  needed_physical_appointment: boolean;
  glucose_scale?: (string | number)[][] | null;
}

const blank = (v: string | null) => (v === '' ? null : v);

export function toResolutionBody(form: LegacyResolutionFormValue): ResolutionBody {
  return {
    changeBasalType: blank(form.change_basal_type),
    changeBasalDose: form.change_basal_dose,
    changeBasalTime: blank(form.change_basal_time),
    changeFastType: blank(form.change_fast_type),
    changeRatio: form.change_ratio,
    changeSensitivity: form.change_sensitivity,
    emergencyCare: form.emergency_care,
    inPersonVisitNeeded: form.needed_physical_appointment,
    glucoseScale: form.glucose_scale ?? null,
  };
}

export const LegacyResolution = Type.Object({
  appointment_id: Type.Integer(),
  change_basal_type: Type.String(),
  change_basal_dose: Type.Union([Type.Number(), Type.Null()]),
  change_basal_time: Type.String({ description: 'HH:MM, clinic time' }),
  change_fast_type: Type.String(),
  change_ratio: Type.Union([Type.Number(), Type.Null()]),
  change_sensitivity: Type.Union([Type.Number(), Type.Null()]),
  emergency_care: Type.Boolean(),
  needed_physical_appointment: Type.Boolean(),
  glucose_scale: Type.Union([Type.Array(Type.Array(Type.Union([Type.Number(), Type.String()]))), Type.Null()]),
});

/**
 * The latest revision (corrections made on /v1 show here as the current resolution). Text fields
 * left empty show as `""` like the old non-null columns; numbers left empty stay null.
 */
export function toLegacyResolution(res: Resolution) {
  return {
    appointment_id: res.appointmentId,
    change_basal_type: res.changeBasalType ?? '',
    change_basal_dose: res.changeBasalDose,
    change_basal_time: res.changeBasalTime ?? '',
    change_fast_type: res.changeFastType ?? '',
    change_ratio: res.changeRatio,
    change_sensitivity: res.changeSensitivity,
    emergency_care: res.emergencyCare,
    needed_physical_appointment: res.inPersonVisitNeeded,
    glucose_scale: res.glucoseScale,
  };
}

const LEGACY_FIELD: Record<string, string> = {
  otherMotive: 'other_motive',
  motive: 'motive',
  anotherTreatment: 'another_treatment',
  controlData: 'control_data',
};

/** A domain ValidationError's `errors` (`body.otherMotive` → message) as a FastAPI 422 list. */
export function legacyIssues(errors: Record<string, string> | undefined): LegacyValidationError {
  const issues = Object.entries(errors ?? { body: 'invalid value' }).map(([key, msg]) => {
    const [where = 'body', field] = key.split('.');
    const loc = field ? [where, LEGACY_FIELD[field] ?? field] : [where];
    return { loc, msg, type: 'value_error' };
  });
  return new LegacyValidationError(issues);
}
