/**
 * What the clinician report says, decided before anything is drawn: every text in the reader's
 * language, every number formatted and in the patient's unit, and which glucose profile fits the
 * data (the AGP for CGM data; for meter readings only, tables by time of day and by meal context,
 * because an AGP drawn from a handful of points would suggest a profile the data cannot show).
 *
 * Plain data, no pdfkit: tests read the layout directly; readings.pdf.draw.ts puts it on pages.
 * Positions and values to plot stay in mg/dL; only the labels are converted.
 */
import type { Agp, Stats } from '../analytics/analytics.schema.js';
import type { DayPoint, ExportPatient, PeriodSummary } from './readings.export.repository.js';
import { type DayPeriod, type ReportLanguage, type ReportLocale, reportLocale } from './readings.pdf.i18n.js';

/** Characters WinAnsi has beyond Latin-1 (cp1252 0x80–0x9f). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Text the standard fonts can draw: other characters (Ł, ő, CJK…) would come out as unrelated
 * glyphs, so they become their unaccented base letter, or "?" when there is none.
 */
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else {
      const base = ch.normalize('NFD').charCodeAt(0);
      out += base >= 0x20 && base <= 0x7e ? String.fromCharCode(base) : '?';
    }
  }
  return out;
}

export interface ReportData {
  patient: ExportPatient;
  from: Date;
  to: Date;
  generatedAt: Date;
  lang: ReportLanguage;
  stats: Stats;
  agp: Agp;
  days: DayPoint[];
  /** Readings by quarter of the local day; null when the window has CGM data (the AGP shows it). */
  byTimeOfDay: PeriodSummary[] | null;
}

export type BandKey = 'veryHigh' | 'high' | 'inRange' | 'low' | 'veryLow';
/** A value to mark on a glucose axis (mg/dL, where it is drawn) and its label in the unit. */
export interface AxisMark {
  mgDl: number;
  label: string;
}
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

export interface ReportLayout {
  title: string;
  header: { generated: string; name: string; facts: string; window: string; summary: string; warning: string | null };
  metrics: {
    title: string;
    header: [string, string, string, string];
    rows: { label: string; value: string; target: string; met: string | null; ok: boolean | null }[];
  };
  bands: { title: string; rows: { key: BandKey; label: string; percent: number | null }[] };
  profile:
    | { kind: 'agp'; title: string; note: string; empty: string | null; bins: Agp['bins']; axis: AxisMark[] }
    | { kind: 'meter'; title: string; note: string; periods: Table; contexts: Table; scatter: ScatterPanel };
  daily: { title: string; note: string; empty: string | null; days: { label: string; points: DayPoint[] }[] };
  /** Shaded band of the daily charts (the patient's own target), and the marks on their axes. */
  dailyTarget: { low: number; high: number };
  dailyAxis: AxisMark[];
  /** Meter data is drawn as dots: lines between readings hours apart would invent the curve between. */
  dots: boolean;
  /** Shaded band of the AGP and scatter (the consensus target of the statistics). */
  target: { low: number; high: number };
}

export interface ScatterPanel {
  title: string;
  points: DayPoint[];
  axis: AxisMark[];
}

/** Upper edge of every glucose axis (mg/dL); higher values are drawn at the edge. */
export const Y_MAX = 400;
const BAND_ORDER: readonly BandKey[] = ['veryHigh', 'high', 'inRange', 'low', 'veryLow'];
const PERIODS: readonly DayPeriod[] = ['night', 'morning', 'afternoon', 'evening'];

const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

export function buildLayout(r: ReportData): ReportLayout {
  const l = reportLocale(r.lang, r.patient.glucoseUnit);
  const { w } = l;
  const s = r.stats;
  const p = r.patient;
  const tz = p.timezone;
  const days = s.window.days;
  const facts = [
    `DNI ${winAnsi(p.dni)}`,
    p.birthDate ? w.born(l.date(p.birthDate)) : null,
    p.diabetesType ? w.diabetes(w.diabetesTypes[p.diabetesType] ?? winAnsi(p.diabetesType)) : null,
    w.target(l.range(p.targetLowMgDl, p.targetHighMgDl)),
  ].filter((f): f is string => f !== null);
  const reasons = s.sufficiency.reasons.map((code) => w.reasons[code] ?? code).join('; ');
  const target = { low: s.thresholds.target.low, high: s.thresholds.target.high };
  const dailyTarget = { low: p.targetLowMgDl, high: p.targetHighMgDl };
  const mark = (mgDl: number): AxisMark => ({ mgDl, label: l.glucose(mgDl) });
  const meter = r.byTimeOfDay !== null;
  const byDay = new Map<string, DayPoint[]>();
  for (const point of r.days) byDay.set(point.day, [...(byDay.get(point.day) ?? []), point]);
  return {
    title: w.title,
    header: {
      generated: w.generated(l.stamp(r.generatedAt, tz), tz),
      name: winAnsi(`${p.name} ${p.surname}`),
      facts: facts.join('   |   '),
      window: w.window(
        l.stamp(r.from, tz),
        l.stamp(r.to, tz),
        Number.isInteger(days) ? l.num(days) : l.num(days, 1),
        s.window.timezone,
      ),
      summary: w.summary(
        l.num(s.count),
        l.num(s.sufficiency.daysWithData),
        l.pct(s.sufficiency.percentActive),
        s.bands.basis === 'time' ? w.basisTime : w.basisCount,
      ),
      warning: s.sufficiency.sufficient ? null : w.insufficient(reasons || '-'),
    },
    metrics: { title: w.metricsTitle, header: w.metricsHeader, rows: metricRows(s, l) },
    bands: {
      title: w.bandsTitle,
      rows: BAND_ORDER.map((key) => ({
        key,
        label: `${w.bands[key]} ${l.bandEdges(key)}: ${l.pct(s.bands[key].percent)}`,
        percent: s.bands[key].percent,
      })),
    },
    profile: meter
      ? {
          kind: 'meter',
          title: w.meterTitle,
          note: w.meterNote,
          periods: periodTable(r.byTimeOfDay ?? [], l),
          contexts: contextTable(s, l),
          scatter: { title: w.scatterTitle, points: r.days, axis: [target.low, target.high, 250, 350].map(mark) },
        }
      : {
          kind: 'agp',
          title: w.agpTitle,
          note: w.agpNote(l.num(r.agp.count), l.num(r.agp.daysWithData), r.agp.window.timezone),
          empty: r.agp.bins.some((b) => b.hasData) ? null : w.noReadings,
          bins: [...r.agp.bins].sort((a, b) => a.bin - b.bin),
          axis: [54, target.low, target.high, 250, Y_MAX].map(mark),
        },
    daily: {
      title: w.dailyTitle,
      note: w.dailyNote(l.num(byDay.size), tz),
      empty: byDay.size === 0 ? `${w.noReadings}.` : null,
      days: [...byDay.entries()].map(([day, points]) => ({ label: l.date(day), points })),
    },
    dailyTarget,
    dailyAxis: [dailyTarget.low, dailyTarget.high, 300].map(mark),
    dots: meter,
    target,
  };
}

function metricRows(s: Stats, l: ReportLocale): ReportLayout['metrics']['rows'] {
  const { w } = l;
  const b = s.bands;
  const below = sum(b.low.percent, b.veryLow.percent);
  const above = sum(b.high.percent, b.veryHigh.percent);
  const bound = (mgDl: number) => `${l.glucose(mgDl)} ${l.unit}`;
  const row = (label: string, value: string, target: string, v: number | null, ok?: (x: number) => boolean) => {
    const met = ok === undefined || v === null ? null : ok(v);
    return { label, value, target, ok: met, met: met === null ? null : met ? w.yes : w.no };
  };
  const gmi = s.gmi;
  return [
    row(
      w.timeInRange(`${l.bandEdges('inRange')} ${l.unit}`),
      l.pct(b.inRange.percent),
      '> 70 %',
      b.inRange.percent,
      (x) => x > 70,
    ),
    row(w.timeBelow(bound(70)), l.pct(below), '< 4 %', below, (x) => x < 4),
    row(w.timeVeryLow(bound(54)), l.pct(b.veryLow.percent), '< 1 %', b.veryLow.percent, (x) => x < 1),
    row(w.timeAbove(bound(180)), l.pct(above), '< 25 %', above, (x) => x < 25),
    row(w.timeVeryHigh(bound(250)), l.pct(b.veryHigh.percent), '< 5 %', b.veryHigh.percent, (x) => x < 5),
    row(w.cv, l.pct(s.cvPercent), '<= 36 %', s.cvPercent, (x) => x <= 36),
    row(w.gmi, gmi ? `${l.num(gmi.percent, 1)} % (${l.num(gmi.mmolPerMol)} mmol/mol)` : '-', w.individual, null),
    row(w.mean, l.glucoseWithUnit(s.meanMgDl), '', null),
    row(w.personalTarget(l.range(s.target.lowMgDl, s.target.highMgDl)), l.pct(s.target.percent), '', null),
  ];
}

/** `n (x %)` of a count in a total. */
const share = (l: ReportLocale, n: number, total: number) =>
  total === 0 ? '-' : `${l.num(n)} (${l.num((100 * n) / total)} %)`;

function periodTable(rows: readonly PeriodSummary[], l: ReportLocale): Table {
  const byPeriod = new Map(rows.map((r) => [r.period, r]));
  return {
    title: l.w.meterTitle,
    header: [...l.w.periodHeader],
    rows: PERIODS.map((period, i) => {
      const r = byPeriod.get(i as PeriodSummary['period']);
      if (!r || r.count === 0) return [l.w.periods[period], '0', '-', '-', '-', '-', '-'];
      const minMax = r.minMgDl === null || r.maxMgDl === null ? '-' : `${l.glucose(r.minMgDl)}-${l.glucose(r.maxMgDl)}`;
      return [
        l.w.periods[period],
        l.num(r.count),
        l.glucoseWithUnit(r.meanMgDl),
        minMax,
        share(l, r.below, r.count),
        share(l, r.inRange, r.count),
        share(l, r.above, r.count),
      ];
    }),
  };
}

function contextTable(s: Stats, l: ReportLocale): Table {
  const header = [...l.w.periodHeader];
  header[0] = l.w.contextHeader;
  return {
    title: l.w.contextTitle,
    header,
    rows: s.byContext
      .filter((c) => c.count > 0)
      .map((c) => [
        l.w.contexts[c.context] ?? winAnsi(c.context),
        l.num(c.count),
        l.glucoseWithUnit(c.meanMgDl),
        c.minMgDl === null || c.maxMgDl === null ? '-' : `${l.glucose(c.minMgDl)}-${l.glucose(c.maxMgDl)}`,
        share(l, c.veryLow + c.low, c.count),
        share(l, c.inRange, c.count),
        share(l, c.high + c.veryHigh, c.count),
      ]),
  };
}
