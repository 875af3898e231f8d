/**
 * Puts a report layout (readings.pdf.layout.ts) on A4 pages with pdfkit: header, metrics table,
 * time-in-ranges bar, the glucose profile (AGP chart, or the meter tables and scatter) and one
 * small chart per day. Nothing here decides a word or a number; it only places them.
 */
import type PDFDocument from 'pdfkit';
import type { AxisMark, ReportLayout, ScatterPanel, Table } from './readings.pdf.layout.js';
import { Y_MAX } from './readings.pdf.layout.js';

export type Doc = InstanceType<typeof PDFDocument>;
type Bin = Extract<ReportLayout['profile'], { kind: 'agp' }>['bins'][number];
type Point = { minute: number; valueMgDl: number };

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

export const MARGIN = 40;
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;

function heading(doc: Doc, text: string, x: number, y: number): void {
  doc.font('Helvetica-Bold').fontSize(11).fillColor(COLORS.text).text(text, x, y);
}

export function header(doc: Doc, h: ReportLayout['header'], title: string): void {
  doc.fillColor(COLORS.text).font('Helvetica-Bold').fontSize(16).text(title, MARGIN, MARGIN);
  doc.font('Helvetica').fontSize(9).fillColor(COLORS.muted).text(h.generated);
  doc.moveDown(0.5).fillColor(COLORS.text).font('Helvetica-Bold').fontSize(12).text(h.name);
  doc.font('Helvetica').fontSize(9).text(h.facts).text(h.window).text(h.summary);
  if (h.warning) doc.fillColor(COLORS.low).text(h.warning);
  doc.fillColor(COLORS.text);
}

export function metricsTable(doc: Doc, m: ReportLayout['metrics'], top: number): number {
  heading(doc, m.title, MARGIN, top);
  let y = top + 18;
  const cols = [MARGIN, MARGIN + 190, MARGIN + 290, MARGIN + 350];
  doc.fontSize(8).fillColor(COLORS.muted);
  for (const [i, label] of m.header.entries()) doc.text(label, cols[i], y, { lineBreak: false });
  y += 12;
  doc.font('Helvetica').fontSize(9);
  for (const row of m.rows) {
    doc.fillColor(COLORS.text).text(row.label, cols[0], y, { width: 185 });
    const next = Math.max(doc.y, y + 14);
    doc.text(row.value, cols[1], y, { lineBreak: false }).text(row.target, cols[2], y, { lineBreak: false });
    if (row.met !== null) {
      doc.fillColor(row.ok ? COLORS.inRange : COLORS.low).text(row.met, cols[3], y, { lineBreak: false });
    }
    y = next;
  }
  return y;
}

/** One vertical bar, very high on top to very low at the bottom, as in the AGP report. */
export function bandBar(doc: Doc, b: ReportLayout['bands'], x: number, top: number, height: number): void {
  heading(doc, b.title, x, top);
  const barTop = top + 18;
  const width = 28;
  const total = b.rows.reduce((t, r) => t + (r.percent ?? 0), 0);
  let y = barTop;
  for (const r of b.rows) {
    const h = total > 0 ? ((r.percent ?? 0) / total) * height : 0;
    if (h > 0) doc.rect(x, y, width, h).fill(COLORS[r.key]);
    y += h;
  }
  if (total === 0) doc.rect(x, barTop, width, height).lineWidth(0.5).stroke(COLORS.grid);
  doc.font('Helvetica').fontSize(8);
  b.rows.forEach((r, i) => {
    const ly = barTop + (i * height) / b.rows.length;
    doc.rect(x + width + 8, ly + 2, 6, 6).fill(COLORS[r.key]);
    doc.fillColor(COLORS.text).text(r.label, x + width + 18, ly, { width: 130 });
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

function axes(doc: Doc, p: Plot, target: { low: number; high: number }, hours: boolean, marks: AxisMark[]): void {
  doc.save();
  doc
    .rect(p.x, py(p, target.high), p.w, py(p, target.low) - py(p, target.high))
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
  for (const v of [target.low, target.high]) {
    doc
      .moveTo(p.x, py(p, v))
      .lineTo(p.x + p.w, py(p, v))
      .stroke();
  }
  // Positioned labels never wrap: a wrapped line near the page bottom would start a new page.
  doc.font('Helvetica').fontSize(7).fillColor(COLORS.muted);
  if (hours) {
    for (const hour of [0, 6, 12, 18, 24]) {
      doc.text(`${String(hour).padStart(2, '0')}:00`, px(p, hour * 60) - 9, p.y + p.h + 3, { lineBreak: false });
    }
  }
  for (const m of marks) {
    doc.text(m.label, p.x - 4 - doc.widthOfString(m.label), py(p, m.mgDl) - 3, { lineBreak: false });
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

/** A day's points: a line through 15-minute averages (gaps over an hour left open), or dots. */
function trace(doc: Doc, p: Plot, points: readonly Point[], dots: boolean): void {
  if (dots) {
    doc.fillColor(COLORS.median);
    for (const pt of points) doc.circle(px(p, pt.minute + 7.5), py(p, pt.valueMgDl), 1.6).fill();
    return;
  }
  doc.lineWidth(1).strokeColor(COLORS.median);
  for (const run of runs(points, (pt, prev) => prev === undefined || pt.minute - prev.minute <= 60)) {
    polyline(
      doc,
      run.map((pt) => [px(p, pt.minute + 7.5), py(p, pt.valueMgDl)]),
    );
  }
}

export function agpChart(doc: Doc, a: Extract<ReportLayout['profile'], { kind: 'agp' }>, l: ReportLayout, top: number) {
  heading(doc, a.title, MARGIN, top);
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor(COLORS.muted)
    .text(a.note, MARGIN, top + 14, { width: CONTENT_WIDTH });
  const p: Plot = { x: MARGIN + 26, y: top + 32, w: CONTENT_WIDTH - 30, h: 190, yMin: 0 };
  axes(doc, p, l.target, true, a.axis);
  band(doc, p, a.bins, 'p5', 'p95', COLORS.outer);
  band(doc, p, a.bins, 'p25', 'p75', COLORS.inner);
  doc.lineWidth(1.5).strokeColor(COLORS.median);
  for (const run of runs(a.bins, (b) => b.hasData && b.p50 !== null)) {
    polyline(
      doc,
      run.map((b) => [px(p, mid(b)), py(p, b.p50 as number)]),
    );
  }
  if (a.empty) {
    doc.font('Helvetica').fontSize(10).fillColor(COLORS.muted);
    doc.text(a.empty, p.x, p.y + p.h / 2 - 5, { width: p.w, align: 'center' });
  }
}

function table(doc: Doc, t: Table, top: number, withTitle: boolean): number {
  let y = top;
  if (withTitle) {
    heading(doc, t.title, MARGIN, y);
    y += 16;
  }
  const cols = [0, 110, 160, 230, 290, 360, 430].map((c) => MARGIN + c);
  doc.font('Helvetica').fontSize(8).fillColor(COLORS.muted);
  for (const [i, h] of t.header.entries()) doc.text(h, cols[i], y, { lineBreak: false });
  y += 12;
  doc.fontSize(9).fillColor(COLORS.text);
  for (const row of t.rows) {
    for (const [i, cell] of row.entries()) doc.text(cell, cols[i], y, { lineBreak: false });
    y += 13;
  }
  return y;
}

/** Meter data: readings by time of day and by meal context, and every reading on one 24-hour axis. */
export function meterPanel(
  doc: Doc,
  m: Extract<ReportLayout['profile'], { kind: 'meter' }>,
  l: ReportLayout,
  top: number,
) {
  heading(doc, m.title, MARGIN, top);
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor(COLORS.muted)
    .text(m.note, MARGIN, top + 14, { width: CONTENT_WIDTH });
  let y = table(doc, m.periods, (doc.y as number) + 6, false) + 10;
  y = table(doc, m.contexts, y, true) + 12;
  scatter(doc, m.scatter, l, y);
}

function scatter(doc: Doc, s: ScatterPanel, l: ReportLayout, top: number): void {
  doc.font('Helvetica').fontSize(8).fillColor(COLORS.muted).text(s.title, MARGIN, top, { lineBreak: false });
  // As tall as the page leaves room for (every meal context listed), never below a readable 80 pt.
  const h = Math.max(80, Math.min(160, PAGE_HEIGHT - MARGIN - top - 30));
  const p: Plot = { x: MARGIN + 26, y: top + 14, w: CONTENT_WIDTH - 30, h, yMin: 40 };
  axes(doc, p, l.target, true, s.axis);
  trace(doc, p, s.points, true);
}

export function dailyProfiles(doc: Doc, l: ReportLayout): void {
  const d = l.daily;
  doc.addPage();
  heading(doc, d.title, MARGIN, MARGIN);
  doc.font('Helvetica').fontSize(8).fillColor(COLORS.muted).text(d.note);
  if (d.empty) {
    doc.moveDown().fontSize(10).text(d.empty);
    return;
  }
  const colW = (CONTENT_WIDTH - 20) / 2;
  const cellH = 96;
  d.days.forEach((day, i) => {
    const x = MARGIN + (i % 2) * (colW + 20);
    const y = MARGIN + 40 + Math.floor(i / 2) * (cellH + 8);
    doc.font('Helvetica-Bold').fontSize(8).fillColor(COLORS.text).text(day.label, x, y, { lineBreak: false });
    const p: Plot = { x: x + 22, y: y + 12, w: colW - 24, h: cellH - 30, yMin: 40 };
    axes(doc, p, l.dailyTarget, i >= d.days.length - 2, l.dailyAxis);
    trace(doc, p, day.points, l.dots);
  });
}
