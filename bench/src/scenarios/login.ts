/**
 * Login at fixed concurrency: argon2id (m = 19 MiB, t = 2) runs on libuv's thread pool, which
 * shares the server's single pinned CPU, so login throughput is bounded by argon2id verifies per
 * second on that core (the ceiling, measured by the worker with the same in-flight count). What
 * matters besides throughput: the event loop keeps answering meanwhile — watched from inside
 * (event-loop delay histogram) and outside (a /health/live probe every 20 ms).
 */
import { type RunContext, step } from '../context.js';
import { BENCH_PASSWORD } from '../database.js';
import { fetchJson, httpLoad, probe } from '../http-load.js';
import type { Child } from '../proc.js';
import type { Summary } from '../samples.js';
import type { MicroResult } from '../tasks.js';
import { errorNote, pid, type ServerStats, sleep, url } from './common.js';

const PROBE_MS = 20;

export async function loginScenario(ctx: RunContext, app: Child, m: MicroResult): Promise<void> {
  step('login (argon2id), event loop watched meanwhile');
  const identifiers = ctx.facts.accounts;
  const base = url(app);
  const probeUrl = `${base}/health/live`;
  // Baseline: the same probe and the event-loop delay of the idle server.
  await fetchJson(`${base}/bench/stats?reset=1`);
  const idleProbe = probe(probeUrl, PROBE_MS);
  await sleep(Math.min(ctx.opts.durationMs, 3000));
  const idle = await idleProbe.stop();
  const idleStats = await fetchJson<ServerStats>(`${base}/bench/stats`);
  let during: { stop(): Promise<Summary> } | null = null;
  const s = await httpLoad({
    url: `${base}/v1/auth/login`,
    connections: ctx.opts.loginConnections,
    warmupMs: ctx.opts.warmupMs,
    durationMs: ctx.opts.durationMs,
    serverPid: pid(app),
    requests: identifiers.map((identifier) => ({
      method: 'POST' as const,
      path: '/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier, password: BENCH_PASSWORD }),
    })),
    onMeasureStart: () => {
      during = probe(probeUrl, PROBE_MS);
      void fetchJson(`${base}/bench/stats?reset=1`);
    },
  });
  const probed = await (during as { stop(): Promise<Summary> } | null)?.stop();
  const stats = await fetchJson<ServerStats>(`${base}/bench/stats?reset=1`);
  const note = errorNote('login', s);
  const scenario = 'login (POST /v1/auth/login)';
  const how = `${ctx.opts.loginConnections} connections, ${identifiers.length} accounts in turn`;
  ctx.rows.push(
    {
      scenario,
      size: '—',
      metric: `throughput (${how})`,
      unit: 'req/s',
      value: s.perSecond,
      ceiling: m.argon2.perSecond,
      ...(note ? { note } : {}),
    },
    { scenario, size: '—', metric: 'p50 latency', unit: 'ms', value: s.p50Ms, ceiling: m.argon2.p50Ms },
    { scenario, size: '—', metric: 'p99 latency', unit: 'ms', value: s.p99Ms, ceiling: m.argon2.p99Ms },
    {
      scenario: 'login: event loop meanwhile',
      size: '—',
      metric: 'event-loop delay p99 (server)',
      unit: 'ms',
      value: stats.eventLoopDelay?.p99Ms ?? Number.NaN,
      ceiling: idleStats.eventLoopDelay?.p99Ms ?? null,
    },
    {
      scenario: 'login: event loop meanwhile',
      size: '—',
      metric: `GET /health/live p99, one every ${PROBE_MS} ms`,
      unit: 'ms',
      value: probed?.p99Ms ?? Number.NaN,
      ceiling: idle.p99Ms,
    },
  );
  ctx.ceilings.push(
    {
      ceiling: 'idle server event loop',
      size: '—',
      metric: 'delay p99',
      unit: 'ms',
      value: idleStats.eventLoopDelay?.p99Ms ?? Number.NaN,
      how: 'monitorEventLoopDelay beyond its 10 ms timer, no load',
    },
    {
      ceiling: 'idle server /health/live',
      size: '—',
      metric: 'p99 latency',
      unit: 'ms',
      value: idle.p99Ms,
      how: `one probe every ${PROBE_MS} ms, no load`,
    },
  );
}
