/**
 * Readings export (CSV, FHIR R4, PDF report). Transport-free: the route turns the returned pieces
 * into a streamed response.
 *
 * Audit (architecture rule 5, security.md LG-3): every attempt writes `readings.export` rows.
 * - Refused: `denied` (a patient asking for someone else's record) or `failure` (no such patient,
 *   or an invalid window), before anything is read.
 * - Granted: a `started` row with the format and window, written before the first byte; the row
 *   count is known only at the end, so a second row (`completed`, or `aborted` when the client
 *   went away or the database failed mid-stream) carries it. The audit trail is append-only:
 *   two rows, not an update.
 * Details hold the format, window bounds and counts only, never values.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { type Actor, canReadPatient } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { DAY_MS, fromLocalMs, toLocalMs } from '../../lib/local-time.js';
import type { AuditOrigin, AuditOutcome, AuditService } from '../audit/audit.service.js';
import { csvChunk } from './readings.csv.js';
import * as repo from './readings.export.repository.js';
import {
  DEFAULT_WINDOW_DAYS,
  type ExportFormat,
  type ExportQuery,
  MAX_WINDOW_DAYS,
  PDF_MAX_WINDOW_DAYS,
} from './readings.export.schema.js';
import { fhirBundle } from './readings.fhir.js';
import { chooseLanguage, type ReportLanguage } from './readings.pdf.i18n.js';
import { type ReportAnalytics, type ReportData, renderReport } from './readings.pdf.js';

/**
 * Rows per keyset query (each ≈ 2 ms on PostgreSQL through the index). Kept small so what waits
 * for the socket is small: on the 1M-row bench the working set of an export stayed ≈ 20–30 MB
 * (peak RSS growth with the old generation capped); uncapped, V8 lets garbage pile up to about four
 * times the live heap before a full collection, which is headroom, not retention.
 */
export const DEFAULT_CHUNK_SIZE = 1000;
/** Rows per piece handed to the response: ≈ 10 kB of CSV, one modest socket write each. */
const PIECE_ROWS = 100;

export interface ReadingsExportDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
  analytics: ReportAnalytics;
  /** Identifier system of exported readings (FHIR): unique per deployment. */
  fhirIdentifierSystem: string;
  /** Rows per keyset query; tests make it small to cross chunk boundaries. */
  chunkSize?: number;
}

/** An export the caller may run: what was granted, to whom, over which window. */
export interface ExportPlan {
  format: ExportFormat;
  patient: repo.ExportPatient;
  from: Date;
  to: Date;
  origin: AuditOrigin;
  /** `readings-patient-12-20260101-20260401.csv`: ids and dates only, no name (PHI) in file names. */
  filename: string;
  /** The report language the query asked for, if any (PDF only). */
  lang?: ReportLanguage;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const compactDate = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
const EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', fhir: 'json', pdf: 'pdf' };

export class ReadingsExportService {
  private readonly chunkSize: number;

  constructor(private readonly d: ReadingsExportDeps) {
    this.chunkSize = d.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  private async audit(
    origin: AuditOrigin,
    patientId: number,
    exists: boolean,
    outcome: AuditOutcome,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'readings.export',
      resourceType: 'readings',
      resourceId: patientId,
      patientId: exists ? patientId : null,
      outcome,
      details,
    });
  }

  /**
   * The window the query asks for, as /stats reads it: instants as given; a date-only bound is a
   * local day of the patient (`from` its midnight, `to` the whole day included). `to` defaults to
   * now, `from` to 90 local days before `to` (DEFAULT_WINDOW_DAYS).
   */
  resolveWindow(format: ExportFormat, query: Pick<ExportQuery, 'from' | 'to'>, timezone: string) {
    const bound = (value: string, addDays: number) =>
      DATE_ONLY.test(value)
        ? new Date(fromLocalMs(timezone, Date.parse(`${value}T00:00:00Z`) + addDays * DAY_MS))
        : new Date(value);
    const to = query.to === undefined ? this.d.clock.now() : bound(query.to, 1);
    const from =
      query.from === undefined
        ? new Date(fromLocalMs(timezone, toLocalMs(timezone, to.getTime()) - DEFAULT_WINDOW_DAYS * DAY_MS))
        : bound(query.from, 0);
    const maxDays = format === 'pdf' ? PDF_MAX_WINDOW_DAYS : MAX_WINDOW_DAYS;
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from.getTime() >= to.getTime()) {
      throw new ValidationError({ 'querystring.to': 'must be after from' }, 'The export window is not valid.');
    }
    // Measured in local days, so a window across a DST change is neither an hour short nor long.
    if (toLocalMs(timezone, to.getTime()) - toLocalMs(timezone, from.getTime()) > maxDays * DAY_MS) {
      throw new ValidationError(
        { 'querystring.from': `the window may span at most ${maxDays} days for ${format}` },
        'The export window is too long; split it into several exports.',
      );
    }
    return { from, to };
  }

  /**
   * Authorizes the export and records its start. Another patient's record, or one that does not
   * exist, is 404 either way (AZ-2); every refusal is audited (LG-3).
   */
  async open(actor: Actor, origin: AuditOrigin, patientId: number, query: ExportQuery): Promise<ExportPlan> {
    const format = query.format ?? 'csv';
    const patient = await repo.findExportPatient(this.d.db, patientId);
    if (!patient || !canReadPatient(actor, patientId, true)) {
      const denied = patient !== null || actor.kind !== 'staff';
      await this.audit(origin, patientId, patient !== null, denied ? 'denied' : 'failure', {
        reason: patient ? 'not_permitted' : 'not_found',
        format,
      });
      throw new NotFoundError('patient');
    }
    let window: { from: Date; to: Date };
    try {
      window = this.resolveWindow(format, query, patient.timezone);
    } catch (err) {
      await this.audit(origin, patientId, true, 'failure', { reason: 'invalid_window', format });
      throw err;
    }
    await this.audit(origin, patientId, true, 'success', {
      stage: 'started',
      format,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
    });
    const ext = EXTENSIONS[format];
    return {
      format,
      patient,
      ...window,
      origin,
      ...(query.lang === undefined ? {} : { lang: query.lang }),
      filename: `readings-patient-${patientId}-${compactDate(window.from)}-${compactDate(window.to)}.${ext}`,
    };
  }

  /** The window's readings, oldest first, one keyset chunk at a time. */
  async *chunks(
    plan: Pick<ExportPlan, 'patient' | 'from' | 'to'>,
    size = this.chunkSize,
  ): AsyncGenerator<repo.ExportReading[]> {
    let after: repo.ExportPosition | null = null;
    for (;;) {
      const chunk = await repo.readingsChunk(this.d.db, plan.patient.id, plan.from, plan.to, after, size);
      after = chunk.last;
      if (chunk.rows.length > 0) yield chunk.rows;
      if (chunk.rows.length < size || !after) return;
    }
  }

  /**
   * Runs `body` and records how the export ended with the count it reached. `completed` only when
   * the consumer read the last piece; a consumer that stops early (client gone) or an error mid-way
   * leaves `aborted`.
   */
  private async *tracked<T>(plan: ExportPlan, counter: { rows: number }, body: AsyncIterable<T>): AsyncGenerator<T> {
    let completed = false;
    try {
      yield* body;
      completed = true;
    } finally {
      await this.audit(plan.origin, plan.patient.id, true, completed ? 'success' : 'error', {
        stage: completed ? 'completed' : 'aborted',
        format: plan.format,
        rows: counter.rows,
      });
    }
  }

  /** CSV text in pieces, header first (alone when the window is empty). */
  csv(plan: ExportPlan): AsyncGenerator<string> {
    const counter = { rows: 0 };
    const timezone = plan.patient.timezone;
    const chunks = this.chunks(plan);
    async function* body() {
      let header = true;
      for await (const rows of chunks) {
        // The whole chunk becomes text at once, so its row objects are garbage before the wait
        // for the socket (see PIECE_ROWS); only the text waits.
        const pieces: string[] = [];
        for (let i = 0; i < rows.length; i += PIECE_ROWS) {
          pieces.push(csvChunk(rows.slice(i, i + PIECE_ROWS), timezone, header));
          header = false;
        }
        counter.rows += rows.length;
        yield* pieces;
      }
      if (header) yield csvChunk([], timezone, true);
    }
    return this.tracked(plan, counter, body());
  }

  /** The FHIR R4 collection bundle as JSON text in pieces. */
  fhir(plan: ExportPlan): AsyncGenerator<string> {
    const counter = { rows: 0 };
    const ctx = {
      patient: plan.patient,
      identifierSystem: this.d.fhirIdentifierSystem,
      bundleId: randomUUID(),
      generatedAt: this.d.clock.now(),
    };
    // FHIR text is ten times the CSV per reading, so a quarter of the chunk keeps the text in flight small.
    const chunks = this.chunks(plan, Math.max(1, Math.floor(this.chunkSize / 4)));
    return this.tracked(plan, counter, fhirBundle(chunks, ctx, counter));
  }

  /**
   * The clinician report. Its inputs are bounded (statistics and the 96-bin AGP from analytics,
   * daily profiles capped by the repository), so they are gathered first, then the PDF streams.
   */
  async pdf(plan: ExportPlan, acceptLanguage?: string): Promise<AsyncGenerator<Uint8Array>> {
    let data: ReportData;
    try {
      data = await this.reportData(plan, chooseLanguage(plan.lang, acceptLanguage));
    } catch (err) {
      await this.audit(plan.origin, plan.patient.id, true, 'error', { stage: 'aborted', format: 'pdf', rows: 0 });
      throw err;
    }
    // The report summarises every reading of the window: its count is the statistics' count.
    return this.tracked(plan, { rows: data.stats.count }, renderReport(data));
  }

  private async reportData(plan: ExportPlan, lang: ReportLanguage): Promise<ReportData> {
    const opts = { from: plan.from, to: plan.to, timezone: plan.patient.timezone };
    const [stats, agp] = await Promise.all([
      this.d.analytics.computeStats(plan.patient.id, opts),
      this.d.analytics.computeAgp(plan.patient.id, opts),
    ]);
    const days = await repo.dailyProfilePoints(this.d.db, plan.patient.id, plan.from, plan.to, plan.patient.timezone, {
      bucketMinutes: 15,
      maxDays: REPORT_DAYS,
      maxPoints: REPORT_DAYS * 96,
    });
    // Without CGM data an AGP would draw a profile from a handful of points: the meter view instead.
    const meterOnly = stats.count > 0 && stats.cgmCount === 0;
    const byTimeOfDay = meterOnly
      ? await repo.readingsByTimeOfDay(this.d.db, plan.patient.id, plan.from, plan.to, plan.patient.timezone)
      : null;
    return {
      patient: plan.patient,
      from: plan.from,
      to: plan.to,
      generatedAt: this.d.clock.now(),
      lang,
      stats,
      agp,
      days,
      byTimeOfDay,
    };
  }
}

/** Daily profiles drawn in the report: the last two weeks with data (one small chart each). */
export const REPORT_DAYS = 14;
