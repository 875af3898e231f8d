/**
 * Scenarios of the HTTP layer, independent of data size: the HTTP ceiling (bare Fastify), the
 * real app's anonymous no-op route, token verification (auth.ts), login (login.ts), and the
 * server's RSS idle and after load.
 */
import { MB, type RunContext, script, step, wants } from '../context.js';
import { fetchJson, type HttpSummary } from '../http-load.js';
import { runWorker, startChild } from '../proc.js';
import type { MicroResult, MicroTask } from '../tasks.js';
import { startApp } from './app.js';
import { authScenario } from './auth.js';
import {
  cpuMethod,
  cpuNote,
  cpuPerRequest,
  errorNote,
  load,
  SETTLE_MS,
  type ServerStats,
  sleep,
  url,
} from './common.js';
import { loginScenario } from './login.js';

async function bareCeiling(ctx: RunContext): Promise<{ load: HttpSummary | null; rss: number }> {
  step('bare Fastify server (HTTP ceiling)');
  const bare = await startChild(ctx.pinning, script('servers/bare-server.js'), {});
  try {
    await sleep(SETTLE_MS);
    const { rss } = await fetchJson<ServerStats>(`${url(bare)}/bench/stats`);
    ctx.ceilings.push({
      ceiling: 'bare Fastify',
      size: '—',
      metric: 'idle RSS',
      unit: 'MB',
      value: rss / MB,
      how: 'one route, no plugins, after 2 s idle',
    });
    if (!wants(ctx, 'http', 'auth')) return { load: null, rss };
    const s = await load(ctx, bare, '/');
    const limited = cpuNote(ctx, 'bare Fastify', s)
      ? `; server CPU only ${((s.serverCpu ?? 0) * 100).toFixed(0)} % busy`
      : '';
    const how = `GET / → {ok:true}, ${ctx.opts.connections} connections${limited}`;
    ctx.ceilings.push(
      { ceiling: 'bare Fastify', size: '—', metric: 'throughput', unit: 'req/s', value: s.perSecond, how },
      { ceiling: 'bare Fastify', size: '—', metric: 'p50 latency', unit: 'ms', value: s.p50Ms, how },
      { ceiling: 'bare Fastify', size: '—', metric: 'p99 latency', unit: 'ms', value: s.p99Ms, how },
      {
        ceiling: 'bare Fastify',
        size: '—',
        metric: 'server CPU per request',
        unit: 'ms/req',
        value: cpuPerRequest(s),
        how: cpuMethod(s),
      },
    );
    return { load: s, rss };
  } finally {
    await bare.stop();
  }
}

async function micro(ctx: RunContext): Promise<MicroResult> {
  step('micro: keys.verify and argon2id on the server CPU');
  const task: MicroTask = {
    kind: 'micro',
    warmupMs: Math.min(ctx.opts.warmupMs, 2000),
    durationMs: ctx.opts.durationMs / 2,
    concurrency: ctx.opts.connections,
    loginConcurrency: ctx.opts.loginConnections,
  };
  const m = await runWorker<MicroResult>(ctx.pinning, script('worker.js'), task);
  const verify = 'keys.verify (jose EdDSA)';
  const argon = 'argon2id verify (m=19 MiB, t=2)';
  ctx.ceilings.push(
    {
      ceiling: verify,
      size: '—',
      metric: 'full check, latency',
      unit: 'ms',
      value: m.verifySerial.p50Ms,
      how: 'p50, a new token each call, one at a time',
    },
    {
      ceiling: verify,
      size: '—',
      metric: 'full check, CPU per call',
      unit: 'ms/req',
      value: 1000 / m.verifyParallel.perSecond,
      how: `1 ÷ calls/s, a new token each call, ${task.concurrency} in flight on one core`,
    },
    {
      ceiling: verify,
      size: '—',
      metric: 'same token again, CPU per call',
      unit: 'ms/req',
      value: 1000 / m.verifyRepeated.perSecond,
      how: `1 ÷ calls/s, ${task.concurrency} in flight on one core (verified-token cache, if any)`,
    },
    {
      ceiling: argon,
      size: '—',
      metric: 'throughput',
      unit: 'ops/s',
      value: m.argon2.perSecond,
      how: `${task.loginConcurrency} in flight on one core`,
    },
    {
      ceiling: argon,
      size: '—',
      metric: 'p50 latency',
      unit: 'ms',
      value: m.argon2.p50Ms,
      how: `${task.loginConcurrency} in flight on one core`,
    },
  );
  return m;
}

export async function httpScenarios(ctx: RunContext): Promise<void> {
  if (wants(ctx, 'http', 'auth', 'rss')) ctx.shared.bare ??= await bareCeiling(ctx);
  if (wants(ctx, 'auth', 'login')) ctx.shared.micro ??= await micro(ctx);
  const bare = ctx.shared.bare ?? null;
  const m = ctx.shared.micro ?? null;
  step('the real server (loadConfig → startServer, plus bench routes)');
  const app = await startApp(ctx);
  try {
    await sleep(SETTLE_MS);
    const idle = await fetchJson<ServerStats>(`${url(app)}/bench/stats?reset=1`);
    if (wants(ctx, 'rss')) {
      ctx.rows.push({
        scenario: 'server idle RSS',
        size: '—',
        metric: 'RSS after start',
        unit: 'MB',
        value: idle.rss / MB,
        ceiling: bare ? bare.rss / MB : null,
        budget: { op: '<', limit: 150, text: '< 150 MB' },
        ...(bare
          ? {
              note: `${((idle.rss - bare.rss) / MB).toFixed(0)} MB above bare Fastify: the platform's modules and plugins (Swagger, metrics, rate limit, helmet), the database pool${ctx.db.kind === 'pglite' ? ' and the embedded PGlite engine (WASM heap and buffers)' : ''}.`,
            }
          : {}),
      });
    }
    let anon: HttpSummary | null = null;
    if (wants(ctx, 'http', 'auth')) {
      step('anonymous no-op route');
      anon = await load(ctx, app, '/v1/bench/anon');
      const ceiling = bare?.load;
      const note = cpuNote(ctx, 'anonymous no-op', anon) ?? errorNote('anonymous no-op', anon);
      const scenario = 'no-op route, anonymous (full app)';
      ctx.rows.push(
        {
          scenario,
          size: '—',
          metric: 'throughput',
          unit: 'req/s',
          value: anon.perSecond,
          ceiling: ceiling?.perSecond ?? null,
          ...(note ? { note } : {}),
        },
        { scenario, size: '—', metric: 'p50 latency', unit: 'ms', value: anon.p50Ms, ceiling: ceiling?.p50Ms ?? null },
        { scenario, size: '—', metric: 'p99 latency', unit: 'ms', value: anon.p99Ms, ceiling: ceiling?.p99Ms ?? null },
        {
          scenario,
          size: '—',
          metric: `server CPU per request (${cpuMethod(anon)})`,
          unit: 'ms/req',
          value: cpuPerRequest(anon),
          ceiling: ceiling ? cpuPerRequest(ceiling) : null,
        },
      );
    }
    if (wants(ctx, 'auth') && anon && m) await authScenario(ctx, app, anon, bare?.load ?? null, m);
    if (wants(ctx, 'login') && m) await loginScenario(ctx, app, m);
    if (wants(ctx, 'rss')) {
      await sleep(SETTLE_MS);
      const after = await fetchJson<ServerStats>(`${url(app)}/bench/stats`);
      ctx.rows.push({
        scenario: 'server RSS after the load phases',
        size: '—',
        metric: 'RSS, idle again',
        unit: 'MB',
        value: after.rss / MB,
        ceiling: bare ? bare.rss / MB : null,
      });
    }
  } finally {
    await app.stop();
  }
}
