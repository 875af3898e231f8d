/**
 * The patient profile: the fields a profile change may touch, the checks no schema can express,
 * and the public shape of a patient record.
 */
import { ValidationError } from '../../lib/errors.js';
import { isValidTimezone } from '../../lib/local-time.js';
import type { PatientRow } from './patients.repository.js';
import type { CreatePatientBody, Patient } from './patients.schema.js';

export function toPatient(row: PatientRow): Patient {
  return {
    id: row.id,
    dni: row.dni,
    email: row.email,
    name: row.name,
    surname: row.surname,
    hospitalAccount: row.hospitalAccount,
    birthDate: row.birthDate,
    diabetesType: row.diabetesType,
    glucoseUnit: row.glucoseUnit as Patient['glucoseUnit'],
    targetLowMgDl: row.targetLowMgDl,
    targetHighMgDl: row.targetHighMgDl,
    timezone: row.timezone,
    blocked: row.blocked,
    tidepoolId: row.tidepoolId,
    streakDays: row.streakDays,
    maxStreakDays: row.maxStreakDays,
    timesMeasured: row.timesMeasured,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type ProfileInput = Partial<
  Pick<CreatePatientBody, 'timezone' | 'birthDate' | 'targetLowMgDl' | 'targetHighMgDl'>
>;

export const PROFILE_KEYS = [
  'dni',
  'email',
  'name',
  'surname',
  'hospitalAccount',
  'birthDate',
  'diabetesType',
  'glucoseUnit',
  'targetLowMgDl',
  'targetHighMgDl',
  'timezone',
  'tidepoolId',
] as const;

/** Checks no schema can express: a real IANA zone, a plausible birth date, low < high. */
export function checkProfile(
  input: ProfileInput,
  nowMs: number,
  current?: { targetLowMgDl: number; targetHighMgDl: number },
): void {
  const errors: Record<string, string> = {};
  if (input.timezone !== undefined && !isValidTimezone(input.timezone)) {
    errors['body.timezone'] = 'is not a known IANA time zone';
  }
  if (input.birthDate) {
    const tomorrow = new Date(nowMs + 86_400_000).toISOString().slice(0, 10);
    if (input.birthDate > tomorrow) errors['body.birthDate'] = 'must not be in the future';
    else if (input.birthDate < '1900-01-01') errors['body.birthDate'] = 'must be after 1900-01-01';
  }
  const low = input.targetLowMgDl ?? current?.targetLowMgDl ?? 70;
  const high = input.targetHighMgDl ?? current?.targetHighMgDl ?? 180;
  if (low >= high) {
    const field = input.targetLowMgDl !== undefined ? 'targetLowMgDl' : 'targetHighMgDl';
    errors[`body.${field}`] = 'targetLowMgDl must be below targetHighMgDl';
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}
