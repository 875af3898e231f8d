/** Schemas of appointments (the patient's treatment details) and their resolutions. */
import { OffsetPage } from '@diabetify/contracts';
import { type Static, Type } from 'typebox';
import { offsetPageQuery } from '../../lib/paging.js';
import { DateTime, Motive, nullable, PatientRef, RequestStateSchema, TEXT } from './appointments.queue.schema.js';

/** One line of free text (names of insulins, pumps): no control characters at all. */
const LINE = '^[^\\u0000-\\u001f\\u007f]*$';
const line = (maxLength: number, minLength = 1) => Type.String({ minLength, maxLength, pattern: LINE });

export const AppointmentBody = Type.Object({
  glucoseObjective: Type.Number({ minimum: 40, maximum: 400, description: 'Target glucose, mg/dL' }),
  insulinType: line(50),
  dose: Type.Number({ exclusiveMinimum: 0, maximum: 300, description: 'Basal insulin dose, units' }),
  fastInsulin: line(100, 0),
  fixedDose: Type.Number({ minimum: 0, maximum: 300, description: 'Fixed rapid dose, units' }),
  ratio: Type.Number({ exclusiveMinimum: 0, maximum: 150, description: 'Grams of carbohydrate per unit' }),
  sensitivity: Type.Number({ exclusiveMinimum: 0, maximum: 500, description: 'mg/dL lowered by one unit' }),
  pumpType: line(50),
  anotherTreatment: Type.Optional(nullable(Type.String({ maxLength: 500, pattern: TEXT }))),
  controlData: Type.Optional(
    nullable(Type.String({ maxLength: 500, pattern: TEXT, description: 'Reference to control data; may be empty' })),
  ),
  motive: Type.Array(Motive, { minItems: 1, maxItems: 6, uniqueItems: true }),
  otherMotive: Type.Optional(nullable(Type.String({ maxLength: 200, pattern: TEXT }))),
});
export type AppointmentBody = Static<typeof AppointmentBody>;

export const APPOINTMENT_STATES = ['awaiting_resolution', 'resolved'] as const;
export type AppointmentState = (typeof APPOINTMENT_STATES)[number];

export const Appointment = Type.Object(
  {
    id: Type.Integer(),
    requestId: Type.Integer(),
    patient: PatientRef,
    state: Type.Enum(APPOINTMENT_STATES),
    requestState: RequestStateSchema,
    glucoseObjective: Type.Number(),
    insulinType: Type.String(),
    dose: Type.Number(),
    fastInsulin: Type.String(),
    fixedDose: Type.Number(),
    ratio: Type.Number(),
    sensitivity: Type.Number(),
    pumpType: Type.String(),
    anotherTreatment: nullable(Type.String()),
    controlData: nullable(Type.String()),
    motive: Type.Array(Motive),
    otherMotive: nullable(Type.String()),
    resolutionRevision: nullable(Type.Integer()),
    resolvedAt: nullable(DateTime),
    emergencyCare: Type.Boolean({ description: 'The latest resolution asks for emergency care' }),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: 'Appointment' },
);
export type Appointment = Static<typeof Appointment>;
export const AppointmentPage = OffsetPage(Appointment);

export const AppointmentListQuery = Type.Object({
  patientId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  state: Type.Optional(Type.Enum(APPOINTMENT_STATES)),
  emergencyCare: Type.Optional(Type.Boolean()),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Created before' })),
  ...offsetPageQuery,
});
export type AppointmentListQuery = Static<typeof AppointmentListQuery>;

const ScaleCell = Type.Union([Type.Number(), Type.String({ maxLength: 40, pattern: LINE })]);

export const ResolutionBody = Type.Object({
  changeBasalType: Type.Optional(nullable(line(100))),
  changeBasalDose: Type.Optional(nullable(Type.Number({ minimum: 0, maximum: 300, description: 'units' }))),
  changeBasalTime: Type.Optional(
    nullable(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$', description: 'HH:MM, clinic time' })),
  ),
  changeFastType: Type.Optional(nullable(line(100))),
  changeRatio: Type.Optional(nullable(Type.Number({ exclusiveMinimum: 0, maximum: 150, description: 'g/unit' }))),
  changeSensitivity: Type.Optional(
    nullable(Type.Number({ exclusiveMinimum: 0, maximum: 500, description: 'mg/dL per unit' })),
  ),
  emergencyCare: Type.Boolean(),
  inPersonVisitNeeded: Type.Boolean(),
  glucoseScale: Type.Optional(
    nullable(
      Type.Array(Type.Array(ScaleCell, { minItems: 1, maxItems: 4 }), {
        maxItems: 30,
        description: 'Correction scale rows, free-form (e.g. [["70-130", 0], ["131-180", 2]])',
      }),
    ),
  ),
  notes: Type.Optional(nullable(Type.String({ maxLength: 4000, pattern: TEXT }))),
  revises: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Correcting: the revision you are replacing (must be the latest)' }),
  ),
  correctionReason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: TEXT })),
});
export type ResolutionBody = Static<typeof ResolutionBody>;

export const Resolution = Type.Object(
  {
    appointmentId: Type.Integer(),
    revision: Type.Integer(),
    authorId: Type.Integer(),
    changeBasalType: nullable(Type.String()),
    changeBasalDose: nullable(Type.Number()),
    changeBasalTime: nullable(Type.String()),
    changeFastType: nullable(Type.String()),
    changeRatio: nullable(Type.Number()),
    changeSensitivity: nullable(Type.Number()),
    emergencyCare: Type.Boolean(),
    inPersonVisitNeeded: Type.Boolean(),
    glucoseScale: nullable(Type.Array(Type.Array(Type.Union([Type.Number(), Type.String()])))),
    notes: nullable(Type.String()),
    correctionReason: nullable(Type.String()),
    createdAt: DateTime,
  },
  { title: 'Resolution' },
);
export type Resolution = Static<typeof Resolution>;

export const ResolutionRevisions = Type.Object(
  { appointmentId: Type.Integer(), data: Type.Array(Resolution, { description: 'Oldest first' }) },
  { title: 'ResolutionRevisions' },
);
