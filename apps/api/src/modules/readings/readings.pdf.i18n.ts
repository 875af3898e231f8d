/**
 * The clinician report's words, numbers and dates in the reader's language: Spanish (the clinic's
 * language, the default) and English. Every label the report draws comes from here; numbers and
 * glucose values are formatted for the language and shown in the patient's unit.
 *
 * The standard PDF fonts encode WinAnsi only, so labels avoid symbols outside it (≤ is "<=").
 */
import { localTime } from './readings.csv.js';

export const REPORT_LANGUAGES = ['es', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];
export const DEFAULT_REPORT_LANGUAGE: ReportLanguage = 'es';

export type GlucoseUnit = 'mg/dL' | 'mmol/L';
const MG_DL_PER_MMOL_L = 18.0156;

/**
 * The report's language: the explicit `lang` when given, else the best `Accept-Language` entry we
 * speak (by q-value, then order), else Spanish. `es-AR`, `en-GB`… count as their language.
 */
export function chooseLanguage(explicit: string | undefined, acceptLanguage: string | undefined): ReportLanguage {
  if (explicit === 'es' || explicit === 'en') return explicit;
  const offers = (acceptLanguage ?? '')
    .split(',')
    .map((part, order) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), order };
    })
    .filter((o) => o.q > 0 && (o.lang === 'es' || o.lang === 'en'))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return (offers[0]?.lang as ReportLanguage | undefined) ?? DEFAULT_REPORT_LANGUAGE;
}

type Band = 'veryHigh' | 'high' | 'inRange' | 'low' | 'veryLow';
export type DayPeriod = 'night' | 'morning' | 'afternoon' | 'evening';

/** The words of one language; both languages must fill every key (the type checks it). */
interface Words {
  title: string;
  generated: (stamp: string, tz: string) => string;
  born: (date: string) => string;
  diabetes: (type: string) => string;
  diabetesTypes: Record<string, string>;
  target: (range: string) => string;
  window: (from: string, to: string, days: string, tz: string) => string;
  summary: (readings: string, days: string, active: string, basis: string) => string;
  basisTime: string;
  basisCount: string;
  insufficient: (reasons: string) => string;
  reasons: Record<string, string>;
  metricsTitle: string;
  metricsHeader: [string, string, string, string];
  yes: string;
  no: string;
  timeInRange: (range: string) => string;
  timeBelow: (bound: string) => string;
  timeVeryLow: (bound: string) => string;
  timeAbove: (bound: string) => string;
  timeVeryHigh: (bound: string) => string;
  cv: string;
  gmi: string;
  mean: string;
  personalTarget: (range: string) => string;
  individual: string;
  bandsTitle: string;
  bands: Record<Band, string>;
  agpTitle: string;
  agpNote: (readings: string, days: string, tz: string) => string;
  noReadings: string;
  dailyTitle: string;
  dailyNote: (days: string, tz: string) => string;
  meterTitle: string;
  meterNote: string;
  periodHeader: [string, string, string, string, string, string, string];
  periods: Record<DayPeriod, string>;
  contextTitle: string;
  contextHeader: string;
  contexts: Record<string, string>;
  scatterTitle: string;
}

const EN: Words = {
  title: 'Glucose report',
  generated: (stamp, tz) => `Generated ${stamp} (${tz})`,
  born: (date) => `Born ${date}`,
  diabetes: (type) => `Diabetes: ${type}`,
  diabetesTypes: {
    type1: 'type 1',
    type2: 'type 2',
    gestational: 'gestational',
    lada: 'LADA',
    mody: 'MODY',
    other: 'other',
  },
  target: (range) => `Target ${range}`,
  window: (from, to, days, tz) => `Window: ${from} to ${to} (${days} days, ${tz})`,
  summary: (readings, days, active, basis) =>
    `Readings: ${readings}   |   Days with data: ${days}   |   CGM active: ${active}   |   Percentages ${basis}`,
  basisTime: 'time-weighted (CGM)',
  basisCount: 'by reading count',
  insufficient: (reasons) => `Data not sufficient for CGM metrics: ${reasons}`,
  reasons: {
    no_readings: 'no readings',
    no_cgm_data: 'no CGM data (meter readings only)',
    window_shorter_than_14_days: 'window shorter than 14 days',
    cgm_active_below_70_percent: 'CGM active less than 70 % of the time',
  },
  metricsTitle: 'Key metrics vs consensus targets',
  metricsHeader: ['Metric', 'Value', 'Target', 'Met'],
  yes: 'yes',
  no: 'no',
  timeInRange: (range) => `Time in range (${range})`,
  timeBelow: (bound) => `Time below range (< ${bound})`,
  timeVeryLow: (bound) => `Time very low (< ${bound})`,
  timeAbove: (bound) => `Time above range (> ${bound})`,
  timeVeryHigh: (bound) => `Time very high (> ${bound})`,
  cv: 'Coefficient of variation (CV)',
  gmi: 'Glucose management indicator (GMI)',
  mean: 'Mean glucose',
  personalTarget: (range) => `Personal target (${range})`,
  individual: 'individual',
  bandsTitle: 'Time in ranges',
  bands: { veryHigh: 'Very high', high: 'High', inRange: 'In range', low: 'Low', veryLow: 'Very low' },
  agpTitle: 'Ambulatory Glucose Profile (AGP)',
  agpNote: (readings, days, tz) =>
    `${readings} readings over ${days} days, 15-minute bins of the day (${tz}). Bands: 5-95 % and 25-75 %; line: median.`,
  noReadings: 'No readings in this window',
  dailyTitle: 'Daily profiles',
  dailyNote: (days, tz) =>
    `The last ${days} days with readings (15-minute averages, local time, ${tz}); shaded: personal target.`,
  meterTitle: 'Readings by time of day',
  meterNote:
    'Meter readings only: an AGP needs continuous (CGM) data, so the readings are summarised by time of day and by meal context.',
  periodHeader: ['Time of day', 'Readings', 'Mean', 'Min-max', 'Below', 'In range', 'Above'],
  periods: { night: 'Night 00-06', morning: 'Morning 06-12', afternoon: 'Afternoon 12-18', evening: 'Evening 18-24' },
  contextTitle: 'Readings by meal context',
  contextHeader: 'Context',
  contexts: {
    fasting: 'Fasting',
    breakfast: 'Breakfast',
    lunch: 'Lunch',
    snack: 'Snack',
    dinner: 'Dinner',
    exercise: 'Exercise',
    other_meal: 'Other meal',
    bedtime: 'Bedtime',
    other: 'Other',
  },
  scatterTitle: 'Every reading of the window by time of day (15-minute averages)',
};

const ES: Words = {
  title: 'Informe de glucosa',
  generated: (stamp, tz) => `Generado el ${stamp} (${tz})`,
  born: (date) => `Nacimiento ${date}`,
  diabetes: (type) => `Diabetes: ${type}`,
  diabetesTypes: {
    type1: 'tipo 1',
    type2: 'tipo 2',
    gestational: 'gestacional',
    lada: 'LADA',
    mody: 'MODY',
    other: 'otra',
  },
  target: (range) => `Objetivo ${range}`,
  window: (from, to, days, tz) => `Período: ${from} a ${to} (${days} días, ${tz})`,
  summary: (readings, days, active, basis) =>
    `Lecturas: ${readings}   |   Días con datos: ${days}   |   MCG activo: ${active}   |   Porcentajes ${basis}`,
  basisTime: 'ponderados por tiempo (MCG)',
  basisCount: 'por número de lecturas',
  insufficient: (reasons) => `Datos insuficientes para las métricas de MCG: ${reasons}`,
  reasons: {
    no_readings: 'no hay lecturas',
    no_cgm_data: 'sin datos de MCG (solo lecturas de glucómetro)',
    window_shorter_than_14_days: 'período de menos de 14 días',
    cgm_active_below_70_percent: 'MCG activo menos del 70 % del tiempo',
  },
  metricsTitle: 'Métricas clave frente a los objetivos de consenso',
  metricsHeader: ['Métrica', 'Valor', 'Objetivo', 'Cumple'],
  yes: 'sí',
  no: 'no',
  timeInRange: (range) => `Tiempo en rango (${range})`,
  timeBelow: (bound) => `Tiempo por debajo del rango (< ${bound})`,
  timeVeryLow: (bound) => `Tiempo muy bajo (< ${bound})`,
  timeAbove: (bound) => `Tiempo por encima del rango (> ${bound})`,
  timeVeryHigh: (bound) => `Tiempo muy alto (> ${bound})`,
  cv: 'Coeficiente de variación (CV)',
  gmi: 'Indicador de gestión de glucosa (GMI)',
  mean: 'Glucosa media',
  personalTarget: (range) => `Objetivo personal (${range})`,
  individual: 'individual',
  bandsTitle: 'Tiempo en rangos',
  bands: { veryHigh: 'Muy alto', high: 'Alto', inRange: 'En rango', low: 'Bajo', veryLow: 'Muy bajo' },
  agpTitle: 'Perfil ambulatorio de glucosa (AGP)',
  agpNote: (readings, days, tz) =>
    `${readings} lecturas en ${days} días, intervalos de 15 minutos del día (${tz}). Bandas: 5-95 % y 25-75 %; línea: mediana.`,
  noReadings: 'No hay lecturas en este período',
  dailyTitle: 'Perfiles diarios',
  dailyNote: (days, tz) =>
    `Los últimos ${days} días con lecturas (promedios de 15 minutos, hora local, ${tz}); sombreado: objetivo personal.`,
  meterTitle: 'Lecturas por momento del día',
  meterNote:
    'Solo lecturas de glucómetro: el AGP necesita datos continuos (MCG), así que las lecturas se resumen por momento del día y por contexto de comida.',
  periodHeader: ['Momento del día', 'Lecturas', 'Media', 'Mín-máx', 'Bajo', 'En rango', 'Alto'],
  periods: { night: 'Madrugada 00-06', morning: 'Mañana 06-12', afternoon: 'Tarde 12-18', evening: 'Noche 18-24' },
  contextTitle: 'Lecturas por contexto de comida',
  contextHeader: 'Contexto',
  contexts: {
    fasting: 'Ayunas',
    breakfast: 'Desayuno',
    lunch: 'Almuerzo',
    snack: 'Merienda',
    dinner: 'Cena',
    exercise: 'Ejercicio',
    other_meal: 'Otra comida',
    bedtime: 'Al acostarse',
    other: 'Otro',
  },
  scatterTitle: 'Todas las lecturas del período por hora del día (promedios de 15 minutos)',
};

/** The consensus band edges as written in each unit (Battelino 2019), not converted one by one. */
const BAND_EDGES: Record<GlucoseUnit, Record<Band, string>> = {
  'mg/dL': { veryHigh: '> 250', high: '181-250', inRange: '70-180', low: '54-69', veryLow: '< 54' },
  'mmol/L': { veryHigh: '> 13.9', high: '10.1-13.9', inRange: '3.9-10.0', low: '3.0-3.8', veryLow: '< 3.0' },
};

export interface ReportLocale {
  lang: ReportLanguage;
  unit: GlucoseUnit;
  w: Words;
  /** A number with `digits` decimals in the language's notation (no digit grouping). */
  num(value: number, digits?: number): string;
  /** A percentage, `-` when unknown. */
  pct(value: number | null | undefined): string;
  /** A glucose value in the patient's unit, without the unit. */
  glucose(mgDl: number): string;
  /** A glucose value with its unit, `-` when unknown. */
  glucoseWithUnit(mgDl: number | null | undefined): string;
  /** `low-high unit`. */
  range(lowMgDl: number, highMgDl: number): string;
  /** A consensus band's edges in the unit, e.g. `70-180` or `3,9-10,0`. */
  bandEdges(band: Band): string;
  /** An instant on the patient's wall clock, to the minute. */
  stamp(at: Date, timezone: string): string;
  /** A calendar date `YYYY-MM-DD` as the language writes it. */
  date(isoDate: string): string;
}

export function reportLocale(lang: ReportLanguage, unit: GlucoseUnit): ReportLocale {
  const w = lang === 'es' ? ES : EN;
  const decimal = lang === 'es' ? ',' : '.';
  const num = (value: number, digits = 0) => value.toFixed(digits).replace('.', decimal);
  const glucose = (mgDl: number) => (unit === 'mmol/L' ? num(mgDl / MG_DL_PER_MMOL_L, 1) : num(Math.round(mgDl)));
  const date = (iso: string) => (lang === 'es' ? iso.split('-').reverse().join('/') : iso);
  return {
    lang,
    unit,
    w,
    num,
    pct: (v) => (v === null || v === undefined ? '-' : `${num(v, 1)} %`),
    glucose,
    glucoseWithUnit: (v) => (v === null || v === undefined ? '-' : `${glucose(v)} ${unit}`),
    range: (low, high) => `${glucose(low)}-${glucose(high)} ${unit}`,
    bandEdges: (band) => BAND_EDGES[unit][band].replaceAll('.', decimal),
    stamp: (at, timezone) => {
      const local = localTime(at.getTime(), timezone);
      return `${date(local.slice(0, 10))} ${local.slice(11, 16)}`;
    },
    date,
  };
}
