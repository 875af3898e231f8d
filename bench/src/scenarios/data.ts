/**
 * Scenarios over the readings table, per data size: the bare ceilings (reading page, batch sync,
 * statistics, AGP), measured by the pinned worker on the table, indexes and CPU the server gets,
 * then the same operations through the real server (platform.ts), side by side in the report.
 */

import { type RunContext, script, step, wants } from '../context.js';
import { TIMEZONE } from '../database.js';
import type { HttpSummary } from '../http-load.js';
import { sizeLabel } from '../options.js';
import { runWorker } from '../proc.js';
import type { Row } from '../report.js';
import type { DbResult, DbTask } from '../tasks.js';
import { platformScenarios } from './platform.js';
import { notBuilt } from './platform-common.js';

export interface SizeInfo {
  target: number;
  readings: number;
  patients: number;
}

export function sizeText(s: SizeInfo): string {
  return `${sizeLabel(s.target)} (${s.readings.toLocaleString('en-US')})`;
}

export interface SizeResult {
  db: DbResult;
  /** The API reading page at this size (closed loop), for the flatness row. */
  apiPage: HttpSummary | null;
}

/** Bare ceilings at one size, then the platform's side of the same scenarios. */
export async function dataScenarios(ctx: RunContext, size: SizeInfo, last: boolean): Promise<SizeResult> {
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
    // The platform's scenarios follow on the same table: the ceiling takes its rows back out.
    insert: wants(ctx, 'sync') ? { concurrency: 4, batchRows: 1000, duplicateShare: 0.1, cleanup: true } : null,
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
  }
  if (r.insert) {
    const how = `${task.insert?.concurrency} devices in flight, 1,000 rows per INSERT … unnest … ON CONFLICT DO NOTHING`;
    c('pg multi-row insert', 'readings/s (offered)', 'readings/s', r.insert.readingsPerSecond, how);
    c('pg multi-row insert', 'batch p50', 'ms', r.insert.batch.p50Ms, how);
    c('pg multi-row insert', 'batch p99', 'ms', r.insert.batch.p99Ms, how);
    c('pg multi-row insert', 'duplicates skipped', '%', r.insert.skippedShare * 100, 'expected 10 %');
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
  }
  if (r.agp) {
    c(
      'pg 14-day AGP aggregate',
      'p50 latency',
      'ms',
      r.agp.p50Ms,
      `one at a time, ${of}: 5 percentiles per 15-min slot`,
    );
  }
  const apiPage = await platformScenarios(ctx, label, r, last);
  return { db: r, apiPage };
}

/** Scenarios with neither a capability nor a bare query yet: listed so the table shows the gap. */
export function pendingRows(ctx: RunContext): Row[] {
  const rows: Row[] = [];
  if (wants(ctx, 'legacy'))
    rows.push(notBuilt('legacy GET /glucose/mine (100k readings)', '100k', 'p50 latency', 'ms', null));
  return rows;
}
