/**
 * The analytics capability through the real server: 14- and 90-day statistics and the 14-day AGP
 * of the CGM patient (a clinician reviewing them), one request at a time like their bare SQL
 * ceilings, and the clinician's triage list over every patient of the table.
 */
import { type RunContext, step } from '../context.js';
import { fetchJson, type HttpSummary } from '../http-load.js';
import type { Child } from '../proc.js';
import type { Row } from '../report.js';
import type { DbResult } from '../tasks.js';
import { bearer, hasRoute } from './app.js';
import { errorNote, load, url } from './common.js';
import { BUDGETS, failed, notBuilt } from './platform-common.js';

const DAY_MS = 86_400_000;
const STATS = (days: number) => `${days}-day statistics, CGM patient`;
const AGP = 'AGP (14 days), CGM patient';
export const TRIAGE = 'triage over all patients';

/** One request at a time, as the ceilings run their aggregates: latency, not throughput. */
async function serial(ctx: RunContext, app: Child, path: string, token: string): Promise<HttpSummary> {
  // Once outside the measurement: an error answer fails loudly here rather than as empty samples.
  await fetchJson(`${url(app)}${path}`, { headers: bearer(token) });
  return load(ctx, app, path, {
    connections: 1,
    warmupMs: Math.min(ctx.opts.warmupMs, 1000),
    durationMs: ctx.opts.durationMs / 3,
    headers: bearer(token),
  });
}

/** The window the ceilings aggregate: `days` days ending where the generated data ends. */
function windowQuery(ctx: RunContext, days: number): string {
  const to = ctx.opts.now.getTime();
  const from = new Date(to - days * DAY_MS).toISOString();
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(to).toISOString())}`;
}

interface Measured {
  scenario: string;
  ceiling: number | null;
  budget?: Row['budget'];
  path: string;
  route: string;
  note?: string;
}

export async function analyticsScenarios(
  ctx: RunContext,
  app: Child,
  token: string,
  label: string,
  r: DbResult,
  parts: { stats: boolean; agp: boolean },
): Promise<void> {
  const id = ctx.facts.cgmPatientId;
  const list: Measured[] = [];
  if (parts.stats) {
    for (const [days, s] of [
      [14, r.stats14],
      [90, r.stats90],
    ] as const) {
      list.push({
        scenario: STATS(days),
        ceiling: s?.p50Ms ?? null,
        ...(days === 90 ? { budget: BUDGETS.stats90 } : {}),
        path: `/v1/patients/${id}/stats?${windowQuery(ctx, days)}`,
        route: '/v1/patients/:id/stats',
        // The ceiling is one aggregate; the API also compares with the window before, which the
        // loaded data covers for 14 days but not for 90 (it spans 90 days).
        ...(days === 14
          ? {
              note: 'the response also holds the previous 14 days (a second aggregate over data), episodes and sufficiency',
            }
          : {}),
      });
    }
  }
  if (parts.agp) {
    list.push({
      scenario: AGP,
      ceiling: r.agp?.p50Ms ?? null,
      path: `/v1/patients/${id}/agp?${windowQuery(ctx, 14)}`,
      route: '/v1/patients/:id/agp',
    });
  }
  for (const m of list) {
    const metric = 'p50 latency';
    if (!hasRoute(app, 'GET', m.route)) {
      ctx.rows.push(notBuilt(m.scenario, label, metric, 'ms', m.ceiling, m.budget));
      continue;
    }
    step(`API ${m.scenario} at ${label}`);
    try {
      const s = await serial(ctx, app, m.path, token);
      const note = [m.note, errorNote(m.scenario, s)].filter(Boolean).join('; ');
      ctx.rows.push(
        {
          scenario: m.scenario,
          size: label,
          metric,
          unit: 'ms',
          value: s.p50Ms,
          ceiling: m.ceiling,
          ...(m.budget ? { budget: m.budget } : {}),
          ...(note ? { note } : {}),
        },
        { scenario: m.scenario, size: label, metric: 'p99 latency', unit: 'ms', value: s.p99Ms, ceiling: null },
      );
    } catch (err) {
      ctx.rows.push(failed(m.scenario, label, metric, 'ms', err, m.budget));
    }
  }
}

/** `GET /v1/triage` (first page of 20) as a clinician, over every patient in the table. */
export async function triageScenario(ctx: RunContext, app: Child, token: string, label: string): Promise<void> {
  if (!hasRoute(app, 'GET', '/v1/triage')) {
    ctx.rows.push(notBuilt(TRIAGE, label, 'p50 latency', 'ms', null));
    return;
  }
  step(`API triage at ${label}`);
  const path = '/v1/triage?page=1&perPage=20';
  try {
    const { total } = await fetchJson<{ total: number }>(`${url(app)}${path}`, { headers: bearer(token) });
    const s = await serial(ctx, app, path, token);
    const metric = `p50 latency (${total.toLocaleString('en-US')} patients, first page of 20)`;
    const note = errorNote('triage', s);
    ctx.rows.push(
      { scenario: TRIAGE, size: label, metric, unit: 'ms', value: s.p50Ms, ceiling: null, ...(note ? { note } : {}) },
      { scenario: TRIAGE, size: label, metric: 'p99 latency', unit: 'ms', value: s.p99Ms, ceiling: null },
    );
  } catch (err) {
    ctx.rows.push(failed(TRIAGE, label, 'p50 latency', 'ms', err));
  }
}
