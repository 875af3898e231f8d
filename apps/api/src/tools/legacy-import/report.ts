/**
 * The reconciliation report: per legacy table, what this run did with every source row (inserted,
 * already present, skipped with a reason) and an independent count of the target rows that match
 * the source rows expected to be there.
 */

export const LEGACY_TABLES = {
  users: 'patients',
  admins: 'staff',
  glucose_readings: 'readings',
  queue_config: 'queue_settings',
  appointment_queue: 'queue_requests',
  appointments: 'appointments',
  appointment_resolution: 'appointment_resolutions',
} as const;
export type LegacyTable = keyof typeof LEGACY_TABLES;

/** How many skipped ids per reason the report lists (the counts are always complete). */
const SAMPLE_IDS = 20;

export interface TableReport {
  table: LegacyTable;
  target: string;
  /** Rows this run read from the source. */
  source: number;
  inserted: number;
  present: number;
  skipped: Record<string, number>;
  /** Up to 20 legacy ids per skip reason, for the operator to look at. */
  skippedIds: Record<string, (number | string)[]>;
  /** Rows imported with a documented change (the row counts as inserted or present too). */
  adjusted: Record<string, number>;
  /** Target rows found for the source rows that were not skipped (counted, not derived). */
  matched: number;
  /** |source rows (counted again) − skipped − matched| */
  unexplained: number;
}

export interface ImportReport {
  startedAt: Date;
  finishedAt: Date;
  sourceTimezone: string;
  tables: TableReport[];
  /** Sum of the tables' unexplained differences: 0 when the target holds exactly what it should. */
  unexplained: number;
  /** Queue days used for the imported history and the imported current queue (null: no queue import). */
  queueDays: { history: number; current: number } | null;
}

export class TableTally {
  readonly report: TableReport;
  /** Every skipped id of this run (the reconciliation excludes them). */
  readonly skippedSet = new Set<number | string>();

  constructor(table: LegacyTable) {
    this.report = {
      table,
      target: LEGACY_TABLES[table],
      source: 0,
      inserted: 0,
      present: 0,
      skipped: {},
      skippedIds: {},
      adjusted: {},
      matched: 0,
      unexplained: 0,
    };
  }

  seen(n: number): void {
    this.report.source += n;
  }

  skip(id: number | string, reason: string): void {
    const r = this.report;
    r.skipped[reason] = (r.skipped[reason] ?? 0) + 1;
    const ids = r.skippedIds[reason] ?? [];
    if (ids.length < SAMPLE_IDS) ids.push(id);
    r.skippedIds[reason] = ids;
    this.skippedSet.add(id);
  }

  adjust(reason: string): void {
    this.report.adjusted[reason] = (this.report.adjusted[reason] ?? 0) + 1;
  }

  get skippedTotal(): number {
    return Object.values(this.report.skipped).reduce((a, b) => a + b, 0);
  }
}

function reasons(map: Record<string, number>): string {
  const entries = Object.entries(map);
  return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

/** The report as a plain-text table (what the CLI prints). */
export function formatReport(report: ImportReport): string {
  const lines = [
    `legacy import reconciliation (source timestamps read as ${report.sourceTimezone})`,
    'table                   -> target                    source inserted present skipped matched  unexplained',
  ];
  for (const t of report.tables) {
    const skipped = Object.values(t.skipped).reduce((a, b) => a + b, 0);
    lines.push(
      `${t.table.padEnd(23)} -> ${t.target.padEnd(24)} ${String(t.source).padStart(7)} ${String(t.inserted).padStart(8)} ` +
        `${String(t.present).padStart(7)} ${String(skipped).padStart(7)} ${String(t.matched).padStart(7)} ${String(t.unexplained).padStart(12)}`,
    );
    if (skipped > 0) lines.push(`    skipped: ${reasons(t.skipped)}`);
    if (Object.keys(t.adjusted).length > 0) lines.push(`    adjusted: ${reasons(t.adjusted)}`);
  }
  if (report.queueDays) {
    lines.push(`queue days: history ${report.queueDays.history}, current ${report.queueDays.current}`);
  }
  lines.push(`unexplained differences: ${report.unexplained}`);
  return lines.join('\n');
}

/** Counts for the audit row: numbers and reason names only (no ids, no personal data). */
export function auditDetails(report: ImportReport): Record<string, unknown> {
  return {
    sourceTimezone: report.sourceTimezone,
    unexplained: report.unexplained,
    queueDays: report.queueDays,
    tables: Object.fromEntries(
      report.tables.map((t) => [
        t.table,
        { source: t.source, inserted: t.inserted, present: t.present, skipped: t.skipped, adjusted: t.adjusted },
      ]),
    ),
  };
}
