/**
 * Pure reading rules (clinical.md): units, plausible range, meter flags, the measured-at window,
 * and the legacy reading types. No I/O: unit-tested with the golden values.
 */

import { compileBodyValidator, validationFieldErrors } from '../../lib/validation.js';
import { CreateReadingBody } from './readings.schema.js';

/** 1 mmol/L of glucose in mg/dL (molar mass 180.156 g/mol). */
export const MG_DL_PER_MMOL_L = 18.0156;
export const MIN_MG_DL = 10;
export const MAX_MG_DL = 1000;
export const MIN_MMOL_L = 0.6;
export const MAX_MMOL_L = 55.5;
/** Device clocks drift: a reading may be up to this far in the future. */
export const MAX_FUTURE_MS = 10 * 60_000;
/** Older than this is a typo or a wrong device clock, not a reading. */
export const EARLIEST_MEASURED_AT = Date.UTC(2000, 0, 1);

export type ReadingContext = NonNullable<CreateReadingBody['context']>;

/** Legacy reading types (legacy-compat A.7) ↔ contexts. The seven legacy values round-trip. */
export const LEGACY_READING_TYPES = {
  DESAYUNO: 'breakfast',
  ALMUERZO: 'lunch',
  MERIENDA: 'snack',
  CENA: 'dinner',
  EJERCICIO: 'exercise',
  OTRAS_COMIDAS: 'other_meal',
  OTRO: 'other',
} as const satisfies Record<string, ReadingContext>;
export type LegacyReadingType = keyof typeof LEGACY_READING_TYPES;

export function contextFromLegacy(type: LegacyReadingType): ReadingContext {
  return LEGACY_READING_TYPES[type];
}

/** Contexts the legacy app has no word for (fasting, bedtime) show as `OTRO`. */
export function legacyTypeOf(context: string): LegacyReadingType {
  for (const [legacy, ctx] of Object.entries(LEGACY_READING_TYPES))
    if (ctx === context) return legacy as LegacyReadingType;
  return 'OTRO';
}

export const round1 = (x: number) => Math.round(x * 10) / 10;

export function mmolToMgDl(mmol: number): number {
  return round1(mmol * MG_DL_PER_MMOL_L);
}

export function mgDlToMmol(mgDl: number): number {
  return round1(mgDl / MG_DL_PER_MMOL_L);
}

export interface GlucoseValue {
  valueMgDl: number | null;
  rangeFlag: 'LO' | 'HI' | null;
  unit: 'mg/dL' | 'mmol/L';
}

type Errors = Record<string, string>;

/**
 * The stored value from `valueMgDl` or `value` + `unit`. Exactly one must be given; the range is
 * checked in the unit of entry so the message names what the user typed.
 */
export function normaliseValue(
  input: {
    valueMgDl?: number | undefined;
    value?: number | 'LO' | 'HI' | undefined;
    unit?: 'mg/dL' | 'mmol/L' | undefined;
  },
  prefix = 'body',
): GlucoseValue | Errors {
  const hasMgDl = input.valueMgDl !== undefined;
  const hasValue = input.value !== undefined;
  if (hasMgDl === hasValue) {
    return { [`${prefix}.valueMgDl`]: 'give exactly one of valueMgDl or value (with unit)' };
  }
  if (hasMgDl) {
    if (input.unit === 'mmol/L') return { [`${prefix}.unit`]: 'valueMgDl is in mg/dL; use value with unit mmol/L' };
    const v = input.valueMgDl as number;
    if (!Number.isFinite(v) || v < MIN_MG_DL || v > MAX_MG_DL) {
      return { [`${prefix}.valueMgDl`]: `must be between ${MIN_MG_DL} and ${MAX_MG_DL} mg/dL` };
    }
    return { valueMgDl: round1(v), rangeFlag: null, unit: 'mg/dL' };
  }
  const unit = input.unit ?? 'mg/dL';
  const v = input.value as number | 'LO' | 'HI';
  if (v === 'LO' || v === 'HI') return { valueMgDl: null, rangeFlag: v, unit };
  if (unit === 'mmol/L') {
    if (!Number.isFinite(v) || v < MIN_MMOL_L || v > MAX_MMOL_L) {
      return { [`${prefix}.value`]: `must be between ${MIN_MMOL_L} and ${MAX_MMOL_L} mmol/L` };
    }
    return { valueMgDl: mmolToMgDl(v), rangeFlag: null, unit };
  }
  if (!Number.isFinite(v) || v < MIN_MG_DL || v > MAX_MG_DL) {
    return { [`${prefix}.value`]: `must be between ${MIN_MG_DL} and ${MAX_MG_DL} mg/dL` };
  }
  return { valueMgDl: round1(v), rangeFlag: null, unit };
}

export function isErrors(x: GlucoseValue | Errors): x is Errors {
  return !('rangeFlag' in x);
}

/** Null when acceptable, else the message for `measuredAt`. */
export function measuredAtProblem(measuredAt: Date, nowMs: number): string | null {
  const t = measuredAt.getTime();
  if (Number.isNaN(t)) return 'is not a valid date-time';
  if (t > nowMs + MAX_FUTURE_MS) return 'is more than 10 minutes in the future';
  if (t < EARLIEST_MEASURED_AT) return 'is before 2000-01-01';
  return null;
}

/** What a reading says besides its value: stored as validated, and exported as stored. */
export interface ReadingDetails {
  measuredAt: Date;
  context: string;
  source: string;
  deviceId: string | null;
  sequenceNumber: number | null;
  sampleType: string | null;
  sampleLocation: string | null;
  notes: string | null;
}

/** A reading input after validation: what the repository inserts. */
export interface NewReading extends GlucoseValue, ReadingDetails {
  patientId: number;
}

const validateItem = compileBodyValidator(CreateReadingBody);

/**
 * Checks one create body (single create or batch item) against the schema and the rules.
 * `patientId` is resolved by the caller (it depends on who is asking).
 */
export function checkReadingInput(
  raw: unknown,
  nowMs: number,
  prefix = 'body',
): { ok: true; input: CreateReadingBody; value: GlucoseValue; measuredAt: Date } | { ok: false; errors: Errors } {
  if (!validateItem(raw)) return { ok: false, errors: validationFieldErrors(validateItem.errors ?? [], prefix) };
  const input = raw as CreateReadingBody;
  const errors: Errors = {};
  const value = normaliseValue(input, prefix);
  if (isErrors(value)) Object.assign(errors, value);
  const measuredAt = new Date(input.measuredAt);
  const when = measuredAtProblem(measuredAt, nowMs);
  if (when) errors[`${prefix}.measuredAt`] = when;
  if (input.sequenceNumber !== undefined && input.deviceId === undefined) {
    errors[`${prefix}.sequenceNumber`] = 'needs deviceId (a sequence number is per device)';
  }
  if (Object.keys(errors).length > 0 || isErrors(value)) return { ok: false, errors };
  return { ok: true, input, value, measuredAt };
}
