/**
 * Patient schemas (request and response) and the canonical forms of identifiers.
 *
 * DNIs and e-mails are canonicalised once, before validation (security.md IV-9): a `preValidation`
 * hook rewrites the body (`canonicaliseBody`), then the schema checks the canonical value, so a
 * DNI typed as `12.345.678` is stored and checked as `12345678` and `Ana@X.org` as `ana@x.org`.
 */
import { OffsetPage } from '@diabetify/contracts';
import { type Static, Type } from 'typebox';
import { offsetPageQuery } from '../../lib/paging.js';
import type { RoutePolicy } from '../../lib/principal.js';

export const DEFAULT_TIMEZONE = 'America/Argentina/Buenos_Aires';

/** Free text shown to people: no control characters (log and CSV injection, LG-7). */
const PLAIN = '^[^\\u0000-\\u001f\\u007f]+$';

export const Dni = Type.String({
  pattern: '^[0-9]{7,9}$',
  description: 'National id, 7–9 digits; dots, spaces and hyphens are removed before validation',
});
export const Email = Type.String({ format: 'email', maxLength: 254, description: 'Stored lower-case' });
export const PersonName = Type.String({ minLength: 1, maxLength: 100, pattern: PLAIN });
export const HospitalAccount = Type.String({ minLength: 1, maxLength: 50, pattern: PLAIN });
export const BirthDate = Type.String({ format: 'date', description: 'YYYY-MM-DD, not in the future' });
export const DIABETES_TYPES = ['type1', 'type2', 'gestational', 'lada', 'mody', 'other'] as const;
export const DiabetesType = Type.Union(DIABETES_TYPES.map((t) => Type.Literal(t)));
export const GlucoseUnit = Type.Union([Type.Literal('mg/dL'), Type.Literal('mmol/L')]);
/** The database CHECK: 40 ≤ low < high ≤ 400 (mg/dL whatever the display unit). */
export const TargetLow = Type.Integer({ minimum: 40, maximum: 399, description: 'mg/dL' });
export const TargetHigh = Type.Integer({ minimum: 41, maximum: 400, description: 'mg/dL' });
export const Timezone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z][A-Za-z0-9_+\\-/]*$',
  description: 'IANA time zone, e.g. America/Argentina/Buenos_Aires',
});
export const TidepoolId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** Bounded for size only; the password policy (length, common passwords, identifiers) runs in the service. */
export const NewPassword = Type.String({ minLength: 1, maxLength: 1024 });

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

/** The display preferences a patient may change themselves (`/v1/me`) and staff may set for them. */
export const preferenceFields = {
  glucoseUnit: Type.Optional(GlucoseUnit),
  targetLowMgDl: Type.Optional(TargetLow),
  targetHighMgDl: Type.Optional(TargetHigh),
  timezone: Type.Optional(Timezone),
};

/** Fields staff may set on create and change on PATCH (besides DNI and e-mail, see the routes). */
const profileFields = {
  hospitalAccount: Type.Optional(nullable(HospitalAccount)),
  birthDate: Type.Optional(nullable(BirthDate)),
  diabetesType: Type.Optional(Type.Union([DiabetesType, Type.Null()])),
  ...preferenceFields,
  tidepoolId: Type.Optional(nullable(TidepoolId)),
};

export const CreatePatientBody = Type.Object({
  dni: Dni,
  email: Email,
  name: PersonName,
  surname: PersonName,
  ...profileFields,
  password: Type.Optional(NewPassword),
});
export type CreatePatientBody = Static<typeof CreatePatientBody>;

/**
 * Staff edits. DNI and e-mail are editable (front-desk typo fixes), canonicalised and unique like
 * on create. Not here, so a 400 when sent: `blocked` (dedicated routes), the gamification counters
 * (computed from readings), `password` (reset link), `id`, timestamps.
 */
export const UpdatePatientBody = Type.Object(
  {
    dni: Type.Optional(Dni),
    email: Type.Optional(Email),
    name: Type.Optional(PersonName),
    surname: Type.Optional(PersonName),
    ...profileFields,
  },
  {
    minProperties: 1,
    description:
      'DNI and e-mail may be corrected (unique, canonicalised). blocked, the counters and the password cannot be set here (400).',
  },
);
export type UpdatePatientBody = Static<typeof UpdatePatientBody>;

/** What a patient may change about themselves (`PATCH /v1/me`): preferences only. */
export const PreferencesBody = Type.Object(preferenceFields, { minProperties: 1 });
export type PreferencesBody = Static<typeof PreferencesBody>;

export const RegisterBody = Type.Object({
  dni: Dni,
  email: Email,
  name: PersonName,
  surname: PersonName,
  password: NewPassword,
  birthDate: Type.Optional(BirthDate),
  diabetesType: Type.Optional(DiabetesType),
  glucoseUnit: Type.Optional(GlucoseUnit),
  timezone: Type.Optional(Timezone),
});
export type RegisterBody = Static<typeof RegisterBody>;

export const Patient = Type.Object(
  {
    id: Type.Integer(),
    dni: Type.String(),
    email: Type.String(),
    name: Type.String(),
    surname: Type.String(),
    hospitalAccount: Type.Union([Type.String(), Type.Null()]),
    birthDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    diabetesType: Type.Union([Type.String(), Type.Null()]),
    glucoseUnit: GlucoseUnit,
    targetLowMgDl: Type.Integer(),
    targetHighMgDl: Type.Integer(),
    timezone: Type.String(),
    blocked: Type.Boolean(),
    tidepoolId: Type.Union([Type.String(), Type.Null()]),
    streakDays: Type.Integer({ description: 'Consecutive days with at least one reading' }),
    maxStreakDays: Type.Integer(),
    timesMeasured: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Patient' },
);
export type Patient = Static<typeof Patient>;

export const PatientPage = OffsetPage(Patient);

export const SORTS = [
  'surname',
  '-surname',
  'name',
  '-name',
  'dni',
  '-dni',
  'email',
  '-email',
  'createdAt',
  '-createdAt',
  'id',
  '-id',
] as const;
export type PatientSort = (typeof SORTS)[number];

export const ListQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: 100,
      description: 'Matches name, surname, "name surname", DNI or e-mail, case-insensitively; empty = all',
    }),
  ),
  blocked: Type.Optional(Type.Boolean()),
  ...offsetPageQuery,
  sort: Type.Optional(
    Type.Union(
      SORTS.map((s) => Type.Literal(s)),
      { default: 'surname' },
    ),
  ),
});
export type ListQuery = Static<typeof ListQuery>;

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

const STAFF = ['clinician', 'assistant', 'admin'] as const;
export const STAFF_ANY: RoutePolicy = { audience: 'backoffice', roles: STAFF };
/** GET /v1/patients/:id: staff, and a patient for their own record only (others are 404). */
export const STAFF_OR_SELF: RoutePolicy = { audience: 'any', roles: ['patient', ...STAFF] };
export const FRONT_DESK: RoutePolicy = { audience: 'backoffice', roles: ['assistant', 'admin'] };
