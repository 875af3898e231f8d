/**
 * The clinician report (PDF, pdfkit): patient header and window, key metrics against the
 * international consensus targets (Battelino 2019), the time-in-ranges bar, the AGP chart
 * (5–95 and 25–75 percentile bands, median) and one small profile per day.
 *
 * Every number comes from the analytics service (statistics and AGP) and the bounded daily points
 * of the export repository; nothing here computes a statistic. The standard PDF fonts encode
 * WinAnsi only, so labels avoid symbols outside it (≤ is written "<=").
 */
import type PDFDocument from 'pdfkit';
import type { Agp, Stats } from '../analytics/analytics.schema.js';
import { localTime } from './readings.csv.js';
import type { DayPoint, ExportPatient } from './readings.export.repository.js';

export interface ReportWindowOptions {
  from: Date;
  to: Date;
  timezone: string;
}

/** What the report needs from analytics (unaudited compute methods; the export audits itself). */
export interface ReportAnalytics {
  computeStats(patientId: number, opts: ReportWindowOptions): Promise<Stats>;
  computeAgp(patientId: number, opts: ReportWindowOptions): Promise<Agp>;
}

export interface ReportData {
  patient: ExportPatient;
  from: Date;
  to: Date;
  generatedAt: Date;
  stats: Stats;
  agp: Agp;
  days: DayPoint[];
}

type Doc = InstanceType<typeof PDFDocument>;

const COLORS = {
  veryHigh: '#e8731a',
  high: '#f6c343',
  inRange: '#3aa655',
  low: '#e03b3b',
  veryLow: '#8b1a1a',
  text: '#222222',
  muted: '#666666',
  grid: '#d0d0d0',
  outer: '#b9d3ee',
  inner: '#5b8fd1',
  median: '#133c7a',
  target: '#3aa655',
};

const MARGIN = 40;
const PAGE_WIDTH = 595.28;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
/** Upper edge of every glucose axis (mg/dL); higher values are drawn at the edge. */
const Y_MAX = 400;

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${v.toFixed(1)} %`);
const mg = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${Math.round(v)} mg/dL`);
const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
const localStamp = (d: Date, tz: string) => localTime(d.getTime(), tz).slice(0, 16).replace('T', ' ');

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

function header(doc: Doc, r: ReportData): void {
  const p = r.patient;
  doc.fillColor(COLORS.text).font('Helvetica-Bold').fontSize(16).text('Glucose report', MARGIN, MARGIN);
  doc.font('Helvetica').fontSize(9).fillColor(COLORS.muted);
  doc.text(`Generated ${localStamp(r.generatedAt, p.timezone)} (${p.timezone})`);
  doc
    .moveDown(0.5)
    .fillColor(COLORS.text)
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(winAnsi(`${p.name} ${p.surname}`));
  doc.font('Helvetica').fontSize(9);
  const facts = [
    `DNI ${winAnsi(p.dni)}`,
    p.birthDate ? `Born ${p.birthDate}` : null,
    p.diabetesType ? `Diabetes: ${p.diabetesType}` : null,
    `Target ${p.targetLowMgDl}-${p.targetHighMgDl} mg/dL`,
  ].filter((f): f is string => f !== null);
  doc.text(facts.join('   |   '));
  const w = r.stats.window;
  doc.text(
    `Window: ${localStamp(r.from, p.timezone)} to ${localStamp(r.to, p.timezone)} (${w.days} days, ${w.timezone})`,
  );
  const s = r.stats.sufficiency;
  const basis = r.stats.bands.basis === 'time' ? 'time-weighted (CGM)' : 'by reading count';
  doc.text(
    `Readings: ${r.stats.count}   |   Days with data: ${s.daysWithData}   |   CGM active: ${pct(s.percentActive)}   |   Percentages ${basis}`,
  );
  if (!s.sufficient) {
    doc.fillColor(COLORS.low).text(`Data not sufficient for CGM metrics: ${s.reasons.join('; ') || 'see statistics'}`);
  }
  doc.fillColor(COLORS.text);
}

interface MetricRow {
  label: string;
  value: string;
  target: string;
  met: boolean | null;
}

function metricRows(s: Stats): MetricRow[] {
  const b = s.bands;
  const below = sum(b.low.percent, b.veryLow.percent);
  const above = sum(b.high.percent, b.veryHigh.percent);
  const check = (v: number | null, ok: (x: number) => boolean) => (v === null ? null : ok(v));
  return [
    {
      label: 'Time in range (70-180 mg/dL)',
      value: pct(b.inRange.percent),
      target: '> 70 %',
      met: check(b.inRange.percent, (x) => x > 70),
    },
    { label: 'Time below range (< 70 mg/dL)', value: pct(below), target: '< 4 %', met: check(below, (x) => x < 4) },
    {
      label: 'Time very low (< 54 mg/dL)',
      value: pct(b.veryLow.percent),
      target: '< 1 %',
      met: check(b.veryLow.percent, (x) => x < 1),
    },
    { label: 'Time above range (> 180 mg/dL)', value: pct(above), target: '< 25 %', met: check(above, (x) => x < 25) },
    {
      label: 'Time very high (> 250 mg/dL)',
      value: pct(b.veryHigh.percent),
      target: '< 5 %',
      met: check(b.veryHigh.percent, (x) => x < 5),
    },
    {
      label: 'Coefficient of variation (CV)',
      value: pct(s.cvPercent),
      target: '<= 36 %',
      met: check(s.cvPercent, (x) => x <= 36),
    },
    {
      label: 'Glucose management indicator (GMI)',
      value: s.gmi ? `${s.gmi.percent.toFixed(1)} % (${s.gmi.mmolPerMol.toFixed(0)} mmol/mol)` : '-',
      target: 'individual',
      met: null,
    },
    { label: 'Mean glucose', value: mg(s.meanMgDl), target: '', met: null },
    {
      label: `Personal target (${s.target.lowMgDl}-${s.target.highMgDl} mg/dL)`,
      value: pct(s.target.percent),
      target: '',
      met: null,
    },
  ];
}

function metricsTable(doc: Doc, s: Stats, top: number): number {
  doc.font('Helvetica-Bold').fontSize(11).fillColor(COLORS.text).text('Key metrics vs consensus targets', MARGIN, top);
  let y = top + 18;
  const cols = [MARGIN, MARGIN + 190, MARGIN + 290, MARGIN + 350];
  doc.fontSize(8).fillColor(COLORS.muted);
  doc.text('Metric', cols[0], y).text('Value', cols[1], y).text('Target', cols[2], y).text('Met', cols[3], y);
  y += 12;
  doc.font('Helvetica').fontSize(9);
  for (const row of metricRows(s)) {
    doc.fillColor(COLORS.text).text(row.label, cols[0], y, { width: 185 });
    doc.text(row.value, cols[1], y).text(row.target, cols[2], y);
    if (row.met !== null) doc.fillColor(row.met ? COLORS.inRange : COLORS.low).text(row.met ? 'yes' : 'no', cols[3], y);
    y += 14;
  }
  return y;
}

/** One vertical bar, very high on top to very low at the bottom, as in the AGP report. */
function bandBar(doc: Doc, s: Stats, x: number, top: number, height: number): void {
  doc.font('Helvetica-Bold').fontSize(11).fillColor(COLORS.text).text('Time in ranges', x, top);
  const barTop = top + 18;
  const width = 28;
  const order = ['veryHigh', 'high', 'inRange', 'low', 'veryLow'] as const;
  const labels = {
    veryHigh: 'Very high > 250',
    high: 'High 181-250',
    inRange: 'In range 70-180',
    low: 'Low 54-69',
    veryLow: 'Very low < 54',
  };
  const total = order.reduce((t, k) => t + (s.bands[k].percent ?? 0), 0);
  let y = barTop;
  doc.font('Helvetica').fontSize(8);
  for (const k of order) {
    const share = total > 0 ? (s.bands[k].percent ?? 0) / total : 0;
    const h = share * height;
    if (h > 0) doc.rect(x, y, width, h).fill(COLORS[k]);
    y += h;
  }
  if (total === 0) doc.rect(x, barTop, width, height).lineWidth(0.5).stroke(COLORS.grid);
  order.forEach((k, i) => {
    const ly = barTop + (i * height) / order.length;
    doc.rect(x + width + 8, ly + 2, 6, 6).fill(COLORS[k]);
    doc.fillColor(COLORS.text).text(`${labels[k]}: ${pct(s.bands[k].percent)}`, x + width + 18, ly, { width: 130 });
  });
}

interface Plot {
  x: number;
  y: number;
  w: number;
  h: number;
  yMin: number;
}

const px = (p: Plot, minuteOfDay: number) => p.x + (minuteOfDay / 1440) * p.w;
const py = (p: Plot, mgDl: number) =>
  p.y + p.h - ((Math.min(Math.max(mgDl, p.yMin), Y_MAX) - p.yMin) / (Y_MAX - p.yMin)) * p.h;

interface AxisOptions {
  target: { low: number; high: number };
  /** Hour labels under the chart (the bottom row of the daily grid only). */
  hours: boolean;
  /** mg/dL values labelled on the left. */
  values: readonly number[];
}

function axes(doc: Doc, p: Plot, opts: AxisOptions): void {
  doc.save();
  doc
    .rect(p.x, py(p, opts.target.high), p.w, py(p, opts.target.low) - py(p, opts.target.high))
    .fillOpacity(0.08)
    .fill(COLORS.target);
  doc.restore();
  doc.lineWidth(0.4).strokeColor(COLORS.grid);
  for (const hour of [0, 3, 6, 9, 12, 15, 18, 21, 24]) {
    doc
      .moveTo(px(p, hour * 60), p.y)
      .lineTo(px(p, hour * 60), p.y + p.h)
      .stroke();
  }
  doc.rect(p.x, p.y, p.w, p.h).stroke();
  doc.lineWidth(0.6).strokeColor(COLORS.target);
  for (const v of [opts.target.low, opts.target.high]) {
    doc
      .moveTo(p.x, py(p, v))
      .lineTo(p.x + p.w, py(p, v))
      .stroke();
  }
  // Positioned labels never wrap: a wrapped line near the page bottom would start a new page.
  doc.font('Helvetica').fontSize(7).fillColor(COLORS.muted);
  if (opts.hours) {
    for (const hour of [0, 6, 12, 18, 24]) {
      doc.text(`${String(hour).padStart(2, '0')}:00`, px(p, hour * 60) - 9, p.y + p.h + 3, { lineBreak: false });
    }
  }
  for (const v of opts.values) {
    const label = String(v);
    doc.text(label, p.x - 4 - doc.widthOfString(label), py(p, v) - 3, { lineBreak: false });
  }
}

/** Runs of consecutive items that pass `has`: charts break at missing data instead of bridging it. */
function runs<T>(items: readonly T[], has: (item: T, prev: T | undefined) => boolean): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  items.forEach((item, i) => {
    if (has(item, items[i - 1])) current.push(item);
    else {
      if (current.length) out.push(current);
      current = has(item, undefined) ? [item] : [];
    }
  });
  if (current.length) out.push(current);
  return out;
}

type Bin = Agp['bins'][number];
const mid = (b: Bin) => b.bin * 15 + 7.5;

function band(doc: Doc, p: Plot, bins: Bin[], lowKey: 'p5' | 'p25', highKey: 'p95' | 'p75', color: string): void {
  for (const run of runs(bins, (b) => b.hasData && b[lowKey] !== null && b[highKey] !== null)) {
    const upper = run.map((b) => [px(p, mid(b)), py(p, b[highKey] as number)] as [number, number]);
    const lower = run.map((b) => [px(p, mid(b)), py(p, b[lowKey] as number)] as [number, number]).reverse();
    if (run.length === 1) {
      const [ux, uy] = upper[0] as [number, number];
      const ly = (lower[0] as [number, number])[1];
      doc.rect(ux - 1.5, uy, 3, Math.max(ly - uy, 0.5)).fill(color);
    } else {
      doc.polygon(...upper, ...lower).fill(color);
    }
  }
}

function polyline(doc: Doc, points: [number, number][]): void {
  const [first, ...rest] = points;
  if (!first) return;
  doc.moveTo(first[0], first[1]);
  for (const [x, y] of rest) doc.lineTo(x, y);
  if (rest.length === 0) doc.lineTo(first[0] + 1, first[1]);
  doc.stroke();
}

function agpChart(doc: Doc, r: ReportData, top: number): void {
  const target = { low: r.stats.thresholds.target.low, high: r.stats.thresholds.target.high };
  doc.font('Helvetica-Bold').fontSize(11).fillColor(COLORS.text).text('Ambulatory Glucose Profile (AGP)', MARGIN, top);
  doc.font('Helvetica').fontSize(8).fillColor(COLORS.muted);
  doc.text(
    `${r.agp.count} readings over ${r.agp.daysWithData} days, 15-minute bins of the day (${r.agp.window.timezone}). Bands: 5-95 % and 25-75 %; line: median.`,
    MARGIN,
    top + 14,
    { width: CONTENT_WIDTH },
  );
  const p: Plot = { x: MARGIN + 26, y: top + 32, w: CONTENT_WIDTH - 30, h: 190, yMin: 0 };
  axes(doc, p, { target, hours: true, values: [54, target.low, target.high, 250, Y_MAX] });
  const bins = [...r.agp.bins].sort((a, b) => a.bin - b.bin);
  band(doc, p, bins, 'p5', 'p95', COLORS.outer);
  band(doc, p, bins, 'p25', 'p75', COLORS.inner);
  doc.lineWidth(1.5).strokeColor(COLORS.median);
  for (const run of runs(bins, (b) => b.hasData && b.p50 !== null)) {
    polyline(
      doc,
      run.map((b) => [px(p, mid(b)), py(p, b.p50 as number)]),
    );
  }
  if (!bins.some((b) => b.hasData)) {
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor(COLORS.muted)
      .text('No readings in this window', p.x, p.y + p.h / 2 - 5, { width: p.w, align: 'center' });
  }
}

function dailyProfiles(doc: Doc, r: ReportData): void {
  doc.addPage();
  doc.font('Helvetica-Bold').fontSize(11).fillColor(COLORS.text).text('Daily profiles', MARGIN, MARGIN);
  doc.font('Helvetica').fontSize(8).fillColor(COLORS.muted);
  doc.text(
    `The last ${r.days.length ? new Set(r.days.map((d) => d.day)).size : 0} days with readings (15-minute averages, local time, ${r.patient.timezone}); shaded: personal target.`,
  );
  const byDay = new Map<string, DayPoint[]>();
  for (const point of r.days) {
    const list = byDay.get(point.day) ?? [];
    list.push(point);
    byDay.set(point.day, list);
  }
  if (byDay.size === 0) {
    doc.moveDown().fontSize(10).text('No readings in this window.');
    return;
  }
  const target = { low: r.patient.targetLowMgDl, high: r.patient.targetHighMgDl };
  const colW = (CONTENT_WIDTH - 20) / 2;
  const cellH = 96;
  [...byDay.entries()].forEach(([day, points], i) => {
    const x = MARGIN + (i % 2) * (colW + 20);
    const y = MARGIN + 40 + Math.floor(i / 2) * (cellH + 8);
    doc.font('Helvetica-Bold').fontSize(8).fillColor(COLORS.text).text(day, x, y, { lineBreak: false });
    const p: Plot = { x: x + 22, y: y + 12, w: colW - 24, h: cellH - 30, yMin: 40 };
    axes(doc, p, { target, hours: i >= byDay.size - 2, values: [target.low, target.high, 300] });
    doc.lineWidth(1).strokeColor(COLORS.median);
    // Gaps over an hour are left open rather than drawn as a straight line.
    for (const run of runs(points, (pt, prev) => prev === undefined || pt.minute - prev.minute <= 60)) {
      polyline(
        doc,
        run.map((pt) => [px(p, pt.minute + 7.5), py(p, pt.valueMgDl)]),
      );
    }
  });
}

/** The report as a PDF byte stream. `compress: false` leaves the text readable (tests). */
export async function* renderReport(r: ReportData, opts: { compress?: boolean } = {}): AsyncIterable<Uint8Array> {
  // Loaded on the first report, not at start: pdfkit and its fonts weigh ≈ 5 MB of idle RSS.
  const { default: PDFKit } = await import('pdfkit');
  const doc = new PDFKit({
    size: 'A4',
    margin: MARGIN,
    compress: opts.compress ?? true,
    info: { Title: 'Glucose report', Creator: 'Diabetify', Producer: 'Diabetify' },
  });
  header(doc, r);
  const tableTop = (doc.y as number) + 14;
  const tableBottom = metricsTable(doc, r.stats, tableTop);
  bandBar(doc, r.stats, MARGIN + 390, tableTop, 120);
  agpChart(doc, r, Math.max(tableBottom, tableTop + 150) + 14);
  dailyProfiles(doc, r);
  doc.end();
  yield* doc as unknown as AsyncIterable<Uint8Array>;
}
