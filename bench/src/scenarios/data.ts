/**
 * Scenarios over the readings table, per data size. Their platform side (reading page, batch
 * sync, statistics, AGP) is not built yet, so each is a "not built yet" row next to its bare
 * ceiling, measured now on the same table, indexes and CPU the server will have.
 */

import { type RunContext, script, step, wants } from '../context.js';
import { TIMEZONE } from '../database.js';
import { sizeLabel } from '../options.js';
import { runWorker } from '../proc.js';
import type { Budget, Row } from '../report.js';
import type { DbResult, DbTask } from '../tasks.js';

export const BUDGETS = {
  page: { op: '<', limit: 15, text: 'p99 < 15 ms at 1,000 req/s, flat 100k→10M' },
  sync: { op: '>', limit: 50_000, text: '> 50,000 readings/s' },
  stats90: { op: '<', limit: 30, text: 'p50 < 30 ms' },
  export: { op: '<', limit: 100, text: '< 100 MB RSS growth' },
  queue: { op: '>', limit: 1000, text: '> 1,000 decisions/s, capacity never exceeded' },
} satisfies Record<string, Budget>;

export interface SizeInfo {
  target: number;
  readings: number;
  patients: number;
}

export function sizeText(s: SizeInfo): string {
  return `${sizeLabel(s.target)} (${s.readings.toLocaleString('en-US')})`;
}

const notBuilt = (
  scenario: string,
  size: string,
  metric: string,
  unit: Row['unit'],
  ceiling: number | null,
  budget?: Budget,
): Row => ({
  scenario,
  size,
  metric,
  unit,
  value: null,
  ceiling,
  ...(budget ? { budget } : {}),
});

/** Bare ceilings at one size, and the not-built platform rows that will be measured against them. */
export async function dataScenarios(ctx: RunContext, size: SizeInfo, last: boolean): Promise<DbResult> {
  const label = sizeText(size);
  const patientId = ctx.facts.cgmPatientId;
  const task: DbTask = {
    kind: 'db',
    target: ctx.db.target,
    patientId,
    timezone: TIMEZONE,
    windowEnd: ctx.opts.now.toISOString(),
    seed: ctx.opts.seed,
    warmupMs: ctx.opts.warmupMs,
    durationMs: ctx.opts.durationMs,
    concurrency: ctx.opts.connections,
    pageRate: ctx.opts.pageRate,
    page: wants(ctx, 'page'),
    stats: wants(ctx, 'stats'),
    agp: wants(ctx, 'agp'),
    insert: wants(ctx, 'sync') ? { concurrency: 4, batchRows: 1000, duplicateShare: 0.1, cleanup: !last } : null,
  };
  step(`bare PostgreSQL ceilings at ${label}`);
  const r = await runWorker<DbResult>(ctx.pinning, script('worker.js'), task);
  const c = (ceiling: string, metric: string, unit: Row['unit'], value: number, how: string) =>
    ctx.ceilings.push({ ceiling, size: label, metric, unit, value, how });
  const of = `patient ${patientId} (CGM, ${r.patientReadings.toLocaleString('en-US')} readings)`;
  if (r.page && r.pageAtRate) {
    const how = `keyset page of 50, ${task.concurrency} in flight, random cursors of ${of}`;
    c('pg keyset page', 'throughput', 'req/s', r.page.perSecond, how);
    c('pg keyset page', 'p50 latency', 'ms', r.page.p50Ms, how);
    c('pg keyset page', 'p95 latency', 'ms', r.page.p95Ms, how);
    c('pg keyset page', 'p99 latency', 'ms', r.page.p99Ms, how);
    const late =
      r.pageAtRate.errors > 0
        ? `; ${r.pageAtRate.errors} arrivals dropped (over ${task.concurrency * 10} in flight)`
        : '';
    c(
      'pg keyset page',
      `p99 at ${task.pageRate}/s`,
      'ms',
      r.pageAtRate.p99Ms,
      `open loop, latency from the scheduled start${late}`,
    );
    ctx.rows.push(
      notBuilt(
        'reading page for one patient (API)',
        label,
        `throughput, ${task.concurrency} connections`,
        'req/s',
        r.page.perSecond,
      ),
      notBuilt(
        'reading page for one patient (API)',
        label,
        `p99 at ${task.pageRate} req/s`,
        'ms',
        r.pageAtRate.p99Ms,
        BUDGETS.page,
      ),
    );
  }
  if (r.insert) {
    const how = `${task.insert?.concurrency} devices in flight, 1,000 rows per INSERT … unnest … ON CONFLICT DO NOTHING`;
    c('pg multi-row insert', 'readings/s (offered)', 'readings/s', r.insert.readingsPerSecond, how);
    c('pg multi-row insert', 'batch p50', 'ms', r.insert.batch.p50Ms, how);
    c('pg multi-row insert', 'batch p99', 'ms', r.insert.batch.p99Ms, how);
    c('pg multi-row insert', 'duplicates skipped', '%', r.insert.skippedShare * 100, 'expected 10 %');
    ctx.rows.push(
      notBuilt(
        'batch sync of 1,000 readings (10 % duplicates)',
        label,
        'readings/s',
        'readings/s',
        r.insert.readingsPerSecond,
        BUDGETS.sync,
      ),
    );
  }
  if (r.stats14 && r.stats90) {
    for (const [days, s] of [
      [14, r.stats14],
      [90, r.stats90],
    ] as const) {
      const how = `one at a time, ${of}: count, mean, SD, CV, GMI, 5 ranges, 5 percentiles`;
      c(`pg ${days}-day statistics aggregate`, 'p50 latency', 'ms', s.p50Ms, how);
      c(`pg ${days}-day statistics aggregate`, 'p99 latency', 'ms', s.p99Ms, how);
    }
    ctx.rows.push(
      notBuilt('14-day statistics, CGM patient', label, 'p50 latency', 'ms', r.stats14.p50Ms),
      notBuilt('90-day statistics, CGM patient', label, 'p50 latency', 'ms', r.stats90.p50Ms, BUDGETS.stats90),
    );
  }
  if (r.agp) {
    c(
      'pg 14-day AGP aggregate',
      'p50 latency',
      'ms',
      r.agp.p50Ms,
      `one at a time, ${of}: 5 percentiles per 15-min slot`,
    );
    ctx.rows.push(notBuilt('AGP (14 days), CGM patient', label, 'p50 latency', 'ms', r.agp.p50Ms));
  }
  return r;
}

/** Scenarios with neither a capability nor a bare query yet: listed so the table shows the gap. */
export function pendingRows(ctx: RunContext): Row[] {
  const rows: Row[] = [];
  if (wants(ctx, 'triage')) rows.push(notBuilt('triage over all patients', '—', 'p50 latency', 'ms', null));
  if (wants(ctx, 'export'))
    rows.push(notBuilt('CSV export of 1M readings', '1M', 'RSS growth', 'MB', null, BUDGETS.export));
  if (wants(ctx, 'queue'))
    rows.push(notBuilt('queue storm (1,000 submits, capacity 50)', '—', 'decisions/s', 'ops/s', null, BUDGETS.queue));
  if (wants(ctx, 'legacy'))
    rows.push(notBuilt('legacy GET /glucose/mine (100k readings)', '100k', 'p50 latency', 'ms', null));
  return rows;
}
