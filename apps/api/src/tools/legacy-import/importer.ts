/**
 * `importLegacy`: copies the three old databases into the platform (README in this folder). Steps
 * run in dependency order — users, admins, readings, queue, appointments (+ resolutions) — each in
 * committed chunks, and every step re-examines every source row, so a re-run after an interruption
 * completes the work and a re-run after a complete import inserts nothing. Ends with the
 * reconciliation and one `legacy.import` audit row.
 */
import type { Database } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { isValidTimezone } from '../../lib/local-time.js';
import { AuditService } from '../../modules/audit/audit.service.js';
import { importAppointments } from './appointments.js';
import type { ImportContext } from './context.js';
import { importQueue, type QueueOutcome } from './queue.js';
import { finishGamification, importReadings } from './readings.js';
import { reconcile, type Tallies } from './reconcile.js';
import { auditDetails, type ImportReport, type LegacyTable, TableTally } from './report.js';
import type { LegacySources } from './source.js';
import { importAdmins, importUsers } from './users.js';

export interface ImportProgress {
  /** A step starts; `total` is its source row count. */
  start(table: LegacyTable, total: number): void;
  advance(rows: number): void;
  stop(): void;
}

export interface ImportOptions {
  clock: Clock;
  /** Zone of the legacy `timestamp without time zone` columns (default `UTC`: the old containers ran in UTC). */
  sourceTimezone?: string;
  /** Source rows per chunk (one target transaction each); default 1,000. */
  chunkSize?: number;
  /** The app's audit service; by default one on the target writing to chain shard 0. */
  audit?: AuditService;
  progress?: ImportProgress;
  /** Called after each committed chunk (tests make a run fail part-way here). */
  onChunkCommitted?: (table: LegacyTable, chunk: number) => void | Promise<void>;
}

export class LegacyImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyImportError';
  }
}

const COUNT_QUERIES: [LegacyTable, keyof LegacySources, string][] = [
  ['users', 'login', 'users'],
  ['admins', 'login', 'admins'],
  ['glucose_readings', 'glucose', 'glucose_readings'],
  ['appointments', 'appointments', 'appointments'],
];

async function sourceCount(sources: LegacySources, which: keyof LegacySources, table: string): Promise<number> {
  try {
    const [row] = await sources[which].query<{ n: number }>(`select count(*)::int as n from ${table}`);
    return row?.n ?? 0;
  } catch {
    return 0; // a missing optional table: the step reports it as empty
  }
}

export async function importLegacy(
  target: Database,
  sources: LegacySources,
  options: ImportOptions,
): Promise<ImportReport> {
  const sourceTimezone = options.sourceTimezone ?? 'UTC';
  if (!isValidTimezone(sourceTimezone)) throw new LegacyImportError(`unknown time zone "${sourceTimezone}"`);
  const chunkSize = options.chunkSize ?? 1000;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new LegacyImportError('chunk size must be ≥ 1');
  const audit = options.audit ?? new AuditService(target, options.clock, 1);
  const startedAt = options.clock.now();
  const chunks = new Map<LegacyTable, number>();
  const tallies: Tallies = {
    users: new TableTally('users'),
    admins: new TableTally('admins'),
    readings: new TableTally('glucose_readings'),
    config: new TableTally('queue_config'),
    queue: new TableTally('appointment_queue'),
    appointments: new TableTally('appointments'),
    resolutions: new TableTally('appointment_resolution'),
  };
  const ctx: ImportContext = {
    sources,
    target,
    runAt: startedAt,
    sourceTimezone,
    chunkSize,
    userIds: new Set(),
    skippedUsers: tallies.users.skippedSet,
    async chunkDone(table, rows) {
      options.progress?.advance(rows);
      const n = (chunks.get(table) ?? 0) + 1;
      chunks.set(table, n);
      await options.onChunkCommitted?.(table, n);
    },
  };
  const totals = new Map<LegacyTable, number>();
  for (const [table, which, name] of COUNT_QUERIES) totals.set(table, await sourceCount(sources, which, name));
  const step = async (table: LegacyTable, fn: () => Promise<void>) => {
    options.progress?.start(table, totals.get(table) ?? 0);
    try {
      await fn();
    } finally {
      options.progress?.stop();
    }
  };

  let queue: QueueOutcome = { days: null, refused: null };
  const report = (): ImportReport => ({
    startedAt,
    finishedAt: options.clock.now(),
    sourceTimezone,
    tables: Object.values(tallies).map((t) => t.report),
    unexplained: Object.values(tallies).reduce((sum, t) => sum + t.report.unexplained, 0),
    queueDays: queue.days,
  });
  try {
    await step('users', () => importUsers(ctx, tallies.users));
    await step('admins', () => importAdmins(ctx, tallies.admins));
    await step('glucose_readings', () => importReadings(ctx, tallies.readings));
    const imported = [...ctx.userIds].filter((id) => !ctx.skippedUsers.has(id));
    await finishGamification(ctx, imported);
    queue = await importQueue(ctx, audit, tallies.config, tallies.queue);
    await step('appointments', () => importAppointments(ctx, queue, tallies.appointments, tallies.resolutions));
    await reconcile(ctx, tallies, queue.days);
  } catch (err) {
    // The chunks committed so far stay; the trail says the run stopped (a re-run completes it).
    await target
      .transaction((tx) =>
        audit.record(tx, {
          actor: { id: null, role: 'system' },
          action: 'legacy.import',
          resourceType: 'legacy_import',
          outcome: 'error',
          details: { ...auditDetails(report()), error: err instanceof Error ? err.name : 'error' },
        }),
      )
      .catch(() => {});
    throw err;
  }
  const result = report();
  await target.transaction((tx) =>
    audit.record(tx, {
      actor: { id: null, role: 'system' },
      action: 'legacy.import',
      resourceType: 'legacy_import',
      outcome: result.unexplained === 0 ? 'success' : 'failure',
      details: auditDetails(result),
    }),
  );
  return result;
}
