/**
 * Glucose units (clinical.md "Units"): stored and compared in mg/dL, converted only for display and
 * input. mmol/L shows one decimal, mg/dL a whole number.
 */
export type GlucoseUnit = 'mg/dL' | 'mmol/L';

/** 1 mmol/L of glucose = 18.0156 mg/dL (molar mass 180.156 g/mol). */
export const MGDL_PER_MMOLL = 18.0156;

export function toUnit(mgdl: number, unit: GlucoseUnit): number {
  return unit === 'mg/dL' ? mgdl : mgdl / MGDL_PER_MMOLL;
}

/** Input typed in `unit` → mg/dL, rounded to one decimal as the server stores it. */
export function toMgdl(value: number, unit: GlucoseUnit): number {
  const mgdl = unit === 'mg/dL' ? value : value * MGDL_PER_MMOLL;
  return Math.round(mgdl * 10) / 10;
}

/** The value rounded the way it is shown: integer mg/dL or one-decimal mmol/L. */
export function roundForDisplay(mgdl: number, unit: GlucoseUnit): number {
  const v = toUnit(mgdl, unit);
  return unit === 'mg/dL' ? Math.round(v) : Math.round(v * 10) / 10;
}

/** Locale-aware text, e.g. "7,8 mmol/L" in Spanish, "140 mg/dL" in English. */
export function formatGlucose(mgdl: number | null | undefined, unit: GlucoseUnit, locale: string, withUnit = true) {
  if (mgdl === null || mgdl === undefined || !Number.isFinite(mgdl)) return '—';
  const digits = unit === 'mg/dL' ? 0 : 1;
  const text = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    roundForDisplay(mgdl, unit),
  );
  return withUnit ? `${text} ${unit}` : text;
}
