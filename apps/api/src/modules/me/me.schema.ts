/** `/v1/me` schemas: the caller's own profile, patient or staff (`kind` tells which). */
import { type Static, Type } from 'typebox';
import type { RoutePolicy } from '../../lib/principal.js';
import { Patient, PersonName, preferenceFields } from '../patients/patients.schema.js';
import { StaffRole } from '../staff/staff.schema.js';

export const PatientMe = Type.Object(
  { kind: Type.Literal('patient'), ...Patient.properties },
  { title: 'PatientMe', description: 'The patient profile, gamification counters included' },
);

export const StaffMe = Type.Object(
  {
    kind: Type.Literal('staff'),
    id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    name: Type.String(),
    roles: Type.Array(StaffRole),
    mfaEnabled: Type.Boolean(),
  },
  { title: 'StaffMe' },
);

export const Me = Type.Union([PatientMe, StaffMe]);
export type Me = Static<typeof Me>;

/**
 * One body for both kinds, every field optional; the service refuses the fields that are not the
 * caller's to change (patients: preferences only; staff: name only). Anything else — `blocked`,
 * `roles`, `dni`, `email`, the streak counters — is not in the schema and gets 400 (AZ-5). Changing
 * the e-mail needs re-authentication and is not offered here.
 */
export const MeBody = Type.Object({ ...preferenceFields, name: Type.Optional(PersonName) }, { minProperties: 1 });
export type MeBody = Static<typeof MeBody>;

export const PATIENT_FIELDS = ['glucoseUnit', 'targetLowMgDl', 'targetHighMgDl', 'timezone'] as const;
export const STAFF_FIELDS = ['name'] as const;

/** Patients and staff, not devices. */
export const SELF: RoutePolicy = { audience: 'any', roles: ['patient', 'clinician', 'assistant', 'admin'] };
