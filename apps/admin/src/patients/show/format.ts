/** Number formatting shared by the patient page's tabs (locale-aware, units from the user's choice). */
import { type GlucoseUnit, toUnit } from '../../glucose/units';
import { intlLocale } from '../../locale/time';
import { formatSigned } from './delta';

export function formatPercent(value: number | null | undefined, locale: string, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${new Intl.NumberFormat(intlLocale(locale), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)} %`;
}

export function formatNumber(value: number | null | undefined, locale: string, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(intlLocale(locale), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** A glucose difference (mg/dL) shown signed in the user's unit. */
export function formatGlucoseDiff(diffMgdl: number, unit: GlucoseUnit, locale: string): string {
  return `${formatSigned(toUnit(diffMgdl, unit), intlLocale(locale), unit === 'mg/dL' ? 0 : 1)} ${unit}`;
}

export function hoursMinutes(minutes: number | null | undefined): { h: number; m: number } | null {
  if (minutes === null || minutes === undefined) return null;
  const total = Math.round(minutes);
  return { h: Math.floor(total / 60), m: total % 60 };
}
