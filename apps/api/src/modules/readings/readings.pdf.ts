/**
 * The clinician report (PDF, pdfkit) in the reader's language: patient header and window, key
 * metrics against the international consensus targets (Battelino 2019), the time-in-ranges bar,
 * the glucose profile — the AGP (5–95 and 25–75 percentile bands, median) for CGM data, or for
 * meter readings the readings by time of day and by meal context — and one small chart per day.
 *
 * Every number comes from the analytics service (statistics and AGP) and the bounded queries of
 * the export repository; nothing here computes a statistic. What the report says is decided in
 * readings.pdf.layout.ts (words: readings.pdf.i18n.ts); readings.pdf.draw.ts places it on pages.
 */
import type { Agp, Stats } from '../analytics/analytics.schema.js';
import { agpChart, bandBar, dailyProfiles, header, MARGIN, meterPanel, metricsTable } from './readings.pdf.draw.js';
import { buildLayout, type ReportData } from './readings.pdf.layout.js';

export { buildLayout, type ReportData, type ReportLayout, winAnsi } from './readings.pdf.layout.js';

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

/** The report as a PDF byte stream. `compress: false` leaves the text readable (tests). */
export async function* renderReport(r: ReportData, opts: { compress?: boolean } = {}): AsyncIterable<Uint8Array> {
  const layout = buildLayout(r);
  // Loaded on the first report, not at start: pdfkit and its fonts weigh ≈ 5 MB of idle RSS.
  const { default: PDFKit } = await import('pdfkit');
  const doc = new PDFKit({
    size: 'A4',
    margin: MARGIN,
    compress: opts.compress ?? true,
    lang: r.lang,
    info: { Title: layout.title, Creator: 'Diabetify', Producer: 'Diabetify' },
  });
  header(doc, layout.header, layout.title);
  const tableTop = (doc.y as number) + 14;
  const tableBottom = metricsTable(doc, layout.metrics, tableTop);
  bandBar(doc, layout.bands, MARGIN + 390, tableTop, 120);
  const profileTop = Math.max(tableBottom, tableTop + 150) + 14;
  if (layout.profile.kind === 'agp') agpChart(doc, layout.profile, layout, profileTop);
  else meterPanel(doc, layout.profile, layout, profileTop);
  dailyProfiles(doc, layout);
  doc.end();
  yield* doc as unknown as AsyncIterable<Uint8Array>;
}
