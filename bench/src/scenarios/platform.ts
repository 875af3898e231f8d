/**
 * The platform's side of the data scenarios, through the real server (loadConfig → startServer,
 * pinned to the CPU the bare ceilings just used):
 *
 * - at every size: reading pages, statistics, AGP and batch sync of the CGM patient's table, next
 *   to the ceilings measured a moment before on the same table; at the largest size also triage;
 * - once, after every size: the CSV export of 1M readings and the queue storm, which need rows of
 *   their own (a year of dense readings, a thousand accounts) written while no server runs.
 *
 * A capability the server does not have (its route table says so) stays a "not built yet" row
 * with its ceiling; one that fails mid-run becomes a row without a value and the run goes on.
 */
import { type RunContext, step, wants } from '../context.js';
import type { HttpSummary } from '../http-load.js';
import { createExportPatient, createQueuePatients, removeReadings } from '../platform-data.js';
import type { Child } from '../proc.js';
import type { DbResult } from '../tasks.js';
import { analyticsScenarios, triageScenario } from './analytics-api.js';
import { hasRoute, knownRoutes, login, startApp } from './app.js';
import { EXPORT, EXPORT_ROUTE, exportScenario } from './export.js';
import { BUDGETS, failed, notBuilt } from './platform-common.js';
import { QUEUE, QUEUE_ROUTES, queueScenario } from './queue.js';
import { pageScenario, syncScenario } from './readings-api.js';

const PAGE = 'reading page for one patient (API)';
const SYNC = 'batch sync of 1,000 readings (10 % duplicates)';
export const EXPORT_READINGS = 1_000_000;
export const QUEUE_PATIENTS = 1000;

/** Each sign-in costs an argon2id verify: only the callers the wanted scenarios need. */
async function tokens(ctx: RunContext, app: Child, need: { patient: boolean; clinician: boolean; admin: boolean }) {
  return {
    patient: need.patient ? await login(app, ctx.facts.cgmPatientDni) : '',
    clinician: need.clinician ? await login(app, ctx.facts.staff.clinician) : '',
    admin: need.admin ? await login(app, ctx.facts.staff.admin) : '',
  };
}

async function pages(ctx: RunContext, app: Child, token: string, label: string, r: DbResult) {
  if (!hasRoute(app, 'GET', '/v1/patients/:id/readings')) {
    ctx.rows.push(
      notBuilt(PAGE, label, `throughput, ${ctx.opts.connections} connections`, 'req/s', r.page?.perSecond ?? null),
      notBuilt(PAGE, label, `p99 at ${ctx.opts.pageRate} req/s`, 'ms', r.pageAtRate?.p99Ms ?? null, BUDGETS.page),
    );
    return null;
  }
  try {
    return (await pageScenario(ctx, app, token, label, r)).closed;
  } catch (err) {
    ctx.rows.push(failed(PAGE, label, `p99 at ${ctx.opts.pageRate} req/s`, 'ms', err, BUDGETS.page));
    return null;
  }
}

async function sync(ctx: RunContext, app: Child, token: string, label: string, r: DbResult): Promise<number[]> {
  const metric = 'readings/s (4 devices)';
  if (!hasRoute(app, 'POST', '/v1/readings/batch')) {
    ctx.rows.push(notBuilt(SYNC, label, metric, 'readings/s', r.insert?.readingsPerSecond ?? null, BUDGETS.sync));
    return [];
  }
  try {
    return await syncScenario(ctx, app, token, label, r);
  } catch (err) {
    ctx.rows.push(failed(SYNC, label, metric, 'readings/s', err, BUDGETS.sync));
    return [];
  }
}

/** Per size, after the ceilings. Returns the API page phase (for the flatness row). */
export async function platformScenarios(
  ctx: RunContext,
  label: string,
  r: DbResult,
  last: boolean,
): Promise<HttpSummary | null> {
  const want = {
    page: wants(ctx, 'page'),
    stats: wants(ctx, 'stats'),
    agp: wants(ctx, 'agp'),
    triage: last && wants(ctx, 'triage'),
    sync: wants(ctx, 'sync'),
  };
  if (!Object.values(want).some(Boolean)) return null;
  step(`the real server at ${label}`);
  const app = await startApp(ctx);
  let page: HttpSummary | null = null;
  let synced: number[] = [];
  try {
    const t = await tokens(ctx, app, {
      patient: want.page,
      clinician: want.stats || want.agp || want.triage,
      admin: want.sync,
    });
    // Reads first, on the table exactly as loaded; the sync writes last.
    if (want.page) page = await pages(ctx, app, t.patient, label, r);
    if (want.stats || want.agp) await analyticsScenarios(ctx, app, t.clinician, label, r, want);
    if (want.triage) await triageScenario(ctx, app, t.clinician, label);
    if (want.sync) synced = await sync(ctx, app, t.admin, label, r);
  } finally {
    await app.stop();
  }
  // The next size is loaded onto the table as measured here.
  if (!last) await removeReadings(ctx.db, synced);
  return page;
}

async function exportRows(ctx: RunContext) {
  step(`export data: one patient with ${EXPORT_READINGS.toLocaleString('en-US')} readings within a year`);
  try {
    const d = await createExportPatient(ctx.db, ctx.opts.seed, ctx.opts.now, EXPORT_READINGS);
    ctx.data.push([
      `${ctx.db.kind === 'pglite' ? 'PGlite ' : ''}export patient`,
      `${d.readings.toLocaleString('en-US')} readings in 365 days (CGM traces of several synthetic wearers overlaid), bulk insert + VACUUM ANALYZE ${(d.loadMs / 1000).toFixed(1)} s`,
    ]);
    return d;
  } catch (err) {
    ctx.rows.push(failed(EXPORT, '1M', 'RSS growth while streaming', 'MB', err, BUDGETS.export));
    return null;
  }
}

/** Once per run (per database), after the last size: export and queue storm. */
export async function finalScenarios(ctx: RunContext): Promise<void> {
  const doExport = wants(ctx, 'export');
  const doQueue = wants(ctx, 'queue');
  if (!doExport && !doQueue) return;
  const routes = await knownRoutes(ctx);
  const exportBuilt = doExport && routes.includes(`GET ${EXPORT_ROUTE}`);
  const queueBuilt = doQueue && QUEUE_ROUTES.every(([m, p]) => routes.includes(`${m} ${p}`));
  if (doExport && !exportBuilt)
    ctx.rows.push(notBuilt(EXPORT, '1M', 'RSS growth while streaming', 'MB', null, BUDGETS.export));
  if (doQueue && !queueBuilt) ctx.rows.push(notBuilt(QUEUE, '—', 'decisions/s', 'ops/s', null, BUDGETS.queue));
  if (!exportBuilt && !queueBuilt) return;

  const exportData = exportBuilt ? await exportRows(ctx) : null;
  let queueDnis: string[] | null = null;
  if (queueBuilt) {
    try {
      queueDnis = await createQueuePatients(ctx.db, QUEUE_PATIENTS);
    } catch (err) {
      ctx.rows.push(failed(QUEUE, '—', 'decisions/s', 'ops/s', err, BUDGETS.queue));
    }
  }
  if (!exportData && !queueDnis) return;

  // The export starts fresh servers of its own: its memory is measured from a clean baseline.
  if (exportData) await exportScenario(ctx, exportData);
  if (!queueDnis) return;
  step('the real server: queue storm');
  const app = await startApp(ctx);
  try {
    const t = await tokens(ctx, app, { patient: false, clinician: true, admin: true });
    await queueScenario(ctx, app, { admin: t.admin, clinician: t.clinician }, queueDnis);
  } finally {
    await app.stop();
  }
}
