/**
 * The exact wire shapes of legacy-compat.md §A: field names and JSON types of each object the
 * listeners answer with. Extra fields are refused too: the contract is byte-for-byte.
 */
import { expect } from 'vitest';
import type { Wire } from './harness.js';

/** Legacy dates are Argentina local time (UTC−3, no DST): `DD/MM/YYYY HH:MM:SS`. */
export const LEGACY_DATE =
  /^(0[1-9]|[12][0-9]|3[01])\/(0[1-9]|1[0-2])\/[0-9]{4} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/;

/** Object has exactly these keys, plus any of `optional`. */
export function expectKeys(value: Wire, required: readonly string[], optional: readonly string[] = []): void {
  expect(value !== null && typeof value === 'object' && !Array.isArray(value), JSON.stringify(value)).toBe(true);
  const keys = Object.keys(value);
  for (const k of required) expect(keys, `missing ${k} in ${JSON.stringify(value)}`).toContain(k);
  const extra = keys.filter((k) => !required.includes(k) && !optional.includes(k));
  expect(extra, `unexpected fields in ${JSON.stringify(value)}`).toEqual([]);
}

export const USER_FIELDS = [
  'dni',
  'name',
  'surname',
  'blocked',
  'email',
  'tidepool',
  'hospital_account',
  'times_measured',
  'streak',
  'max_streak',
] as const;

export function expectGatewayUser(u: Wire): void {
  expectKeys(u, USER_FIELDS);
  expect(typeof u.dni).toBe('string');
  for (const k of ['name', 'surname', 'email', 'hospital_account']) expect(typeof u[k], k).toBe('string');
  expect(typeof u.blocked).toBe('boolean');
  expect(u.tidepool === null || typeof u.tidepool === 'string').toBe(true);
  for (const k of ['times_measured', 'streak', 'max_streak']) expect(Number.isInteger(u[k]), k).toBe(true);
}

export const READING_TYPES = ['DESAYUNO', 'ALMUERZO', 'MERIENDA', 'CENA', 'EJERCICIO', 'OTRAS_COMIDAS', 'OTRO'];

export function expectReading(r: Wire): void {
  expectKeys(r, ['id', 'user_id', 'glucose_level', 'reading_type', 'created_at', 'notes']);
  expect(Number.isInteger(r.id)).toBe(true);
  expect(Number.isInteger(r.user_id)).toBe(true);
  expect(typeof r.glucose_level).toBe('number');
  expect(READING_TYPES).toContain(r.reading_type);
  expect(r.created_at).toMatch(LEGACY_DATE);
  expect(r.notes === null || typeof r.notes === 'string').toBe(true);
}

export const APPOINTMENT_FIELDS = [
  'appointment_id',
  'user_id',
  'glucose_objective',
  'insulin_type',
  'dose',
  'fast_insulin',
  'fixed_dose',
  'ratio',
  'sensitivity',
  'pump_type',
  'control_data',
  'motive',
  'other_motive',
  'another_treatment',
] as const;

export function expectAppointment(a: Wire): void {
  expectKeys(a, APPOINTMENT_FIELDS);
  expect(Number.isInteger(a.appointment_id)).toBe(true);
  expect(Number.isInteger(a.user_id)).toBe(true);
  for (const k of ['glucose_objective', 'dose', 'fixed_dose', 'ratio', 'sensitivity'])
    expect(typeof a[k], k).toBe('number');
  for (const k of ['insulin_type', 'fast_insulin', 'pump_type', 'control_data']) expect(typeof a[k], k).toBe('string');
  for (const k of ['other_motive', 'another_treatment'])
    expect(a[k] === null || typeof a[k] === 'string', k).toBe(true);
  expect(Array.isArray(a.motive)).toBe(true);
}

export const RESOLUTION_FIELDS = [
  'appointment_id',
  'change_basal_type',
  'change_basal_dose',
  'change_basal_time',
  'change_fast_type',
  'change_ratio',
  'change_sensitivity',
  'emergency_care',
  'needed_physical_appointment',
] as const;

export function expectResolution(r: Wire): void {
  expectKeys(r, RESOLUTION_FIELDS, ['glucose_scale']);
  expect(Number.isInteger(r.appointment_id)).toBe(true);
  for (const k of ['change_basal_type', 'change_basal_time', 'change_fast_type']) expect(typeof r[k], k).toBe('string');
  for (const k of ['change_basal_dose', 'change_ratio', 'change_sensitivity']) expect(typeof r[k], k).toBe('number');
  expect(typeof r.emergency_care).toBe('boolean');
  expect(typeof r.needed_physical_appointment).toBe('boolean');
  expect(r.glucose_scale === undefined || r.glucose_scale === null || Array.isArray(r.glucose_scale)).toBe(true);
}

export const QUEUE_STATES = ['PENDING', 'ACCEPTED', 'DENIED', 'CREATED'];

export function expectQueueEntry(e: Wire): void {
  expectKeys(e, ['queue_placement', 'user_id', 'appointment_state']);
  expect(Number.isInteger(e.queue_placement)).toBe(true);
  expect(Number.isInteger(e.user_id)).toBe(true);
  expect(QUEUE_STATES).toContain(e.appointment_state);
}

/** The OAuth2 password-grant answer both listeners give: a JWT bearer token, nothing else required. */
export function expectTokenBody(body: Wire): void {
  expectKeys(body, ['access_token', 'token_type'], ['refresh_token', 'expires_in']);
  expect(body.access_token.split('.')).toHaveLength(3);
  expect(body.token_type).toBe('bearer');
}
