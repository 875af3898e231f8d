/**
 * Domain objects → the old wire shapes (legacy-compat.md A.3, A.4, B). Pure functions; the response
 * schemas beside them are what the legacy OpenAPI documents and what leaves the listener.
 */
import { Type } from 'typebox';
import { toLocalMs } from '../../lib/local-time.js';
import {
  LEGACY_READING_TYPES,
  legacyTypeOf,
  type LegacyReadingType as ReadingTypeName,
} from '../readings/readings.rules.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `DD/MM/YYYY HH:MM:SS` on the wall clock of `timezone` (A.4, E.9). The old app splits this text and
 * appends `-03:00`; an ISO string would crash its mapper. Seconds are truncated, like the old
 * `strftime`.
 */
export function formatLegacyDate(at: Date, timezone: string): string {
  const local = new Date(toLocalMs(timezone, at.getTime()));
  return (
    `${pad(local.getUTCDate())}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCFullYear(), 4)} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}

export const LegacyReadingType = Type.Enum(Object.keys(LEGACY_READING_TYPES) as ReadingTypeName[]);

export const LegacyReading = Type.Object({
  id: Type.Integer(),
  user_id: Type.Integer(),
  glucose_level: Type.Number(),
  reading_type: LegacyReadingType,
  created_at: Type.String({ description: 'DD/MM/YYYY HH:MM:SS, clinic time' }),
  notes: Type.Union([Type.String(), Type.Null()]),
});
export const LegacyReadings = Type.Object({ readings: Type.Array(LegacyReading) });

export interface ReadingLike {
  id: number;
  patientId: number;
  valueMgDl: number | null;
  rangeFlag?: string | null;
  context: string | null;
  notes: string | null;
  measuredAt: Date;
}

/**
 * LO/HI readings (a meter's off-scale flag) have no value; the old column was NOT NULL, so they
 * show as the edge of the measurable range (E.15 keeps exact values for everything the app sent).
 */
export function toLegacyReading(r: ReadingLike, timezone: string) {
  const value = r.valueMgDl ?? (r.rangeFlag === 'HI' ? 600 : 20);
  return {
    id: r.id,
    user_id: r.patientId,
    glucose_level: value,
    reading_type: legacyTypeOf(r.context ?? 'other'),
    created_at: formatLegacyDate(r.measuredAt, timezone),
    notes: r.notes,
  };
}

const userFields = {
  dni: Type.String(),
  name: Type.String(),
  surname: Type.String(),
  blocked: Type.Boolean(),
  email: Type.String(),
  tidepool: Type.Union([Type.String(), Type.Null()]),
  hospital_account: Type.String(),
  times_measured: Type.Integer(),
  streak: Type.Integer(),
  max_streak: Type.Integer(),
};
/** `/users/me` and back-office `/users/user/{id}`: no numeric id (A.3). */
export const LegacyUser = Type.Object(userFields);
/** Back-office lists and creations carry the hidden numeric `user_id` (B). */
export const LegacyUserWithId = Type.Object({ user_id: Type.Integer(), ...userFields });

export interface PatientLike {
  id: number;
  dni: string;
  name: string;
  surname: string;
  blocked: boolean;
  email: string;
  tidepoolId: string | null;
  hospitalAccount: string | null;
  timesMeasured: number;
  streakDays: number;
  maxStreakDays: number;
}

export function toLegacyUser(p: PatientLike) {
  return {
    user_id: p.id,
    dni: p.dni,
    name: p.name,
    surname: p.surname,
    blocked: p.blocked,
    email: p.email,
    tidepool: p.tidepoolId,
    // The old column was NOT NULL; patients registered on /v1 may have none.
    hospital_account: p.hospitalAccount ?? '',
    times_measured: p.timesMeasured,
    streak: p.streakDays,
    max_streak: p.maxStreakDays,
  };
}
