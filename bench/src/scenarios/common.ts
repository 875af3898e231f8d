/** Helpers shared by the HTTP scenarios: talking to a started server and reading its phases. */
import type { RunContext } from '../context.js';
import { type HttpLoadOptions, type HttpSummary, httpLoad } from '../http-load.js';
import type { Child } from '../proc.js';
import type { Summary } from '../samples.js';

export interface ServerStats {
  rss: number;
  eventLoopDelay?: { p50Ms: number; p99Ms: number; maxMs: number };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Let a fresh server settle (JIT, pools, timers) before its idle RSS is read. */
export const SETTLE_MS = 2000;

export function url(child: Child): string {
  return String(child.ready.url);
}

export function pid(child: Child): number {
  return Number(child.ready.pid);
}

/** A saturating phase whose server used less than this share of its CPU was not server-bound. */
const SATURATED = 0.85;

/**
 * A note when the server's CPU was not the bottleneck of a saturating phase (a busy machine, a
 * slow load generator): its throughput ratio then says little about the server. The report
 * also gets one warning at the top.
 */
export function cpuNote(ctx: RunContext, what: string, s: HttpSummary): string | undefined {
  if (s.serverCpu === null || s.serverCpu >= SATURATED) return undefined;
  const warning =
    "Some load phases were not limited by the server's CPU (see Notes): their throughput ratios are not the server's; the CPU-time-per-request rows still are.";
  if (!ctx.warnings.includes(warning)) ctx.warnings.push(warning);
  return (
    `the server used only ${(s.serverCpu * 100).toFixed(0)} % of its CPU during "${what}" ` +
    `(load generator ${(s.loadCpu * 100).toFixed(0)} %): something else limited this phase`
  );
}

export function errorNote(what: string, s: Summary & { non2xx?: number }): string | undefined {
  const failed = s.errors + (s.non2xx ?? 0);
  return failed > 0 ? `${failed} failed requests during "${what}"` : undefined;
}

/** A load phase against a started server with the run's connections and durations. */
export function load(ctx: RunContext, child: Child, path: string, extra: Partial<HttpLoadOptions> = {}) {
  return httpLoad({
    url: `${url(child)}${path}`,
    connections: ctx.opts.connections,
    warmupMs: ctx.opts.warmupMs,
    durationMs: ctx.opts.durationMs,
    serverPid: pid(child),
    ...extra,
  });
}

/** CPU time of one request on the server: measured (/proc) when possible, else 1 ÷ throughput. */
export function cpuPerRequest(s: HttpSummary): number {
  return s.serverCpuMsPerRequest ?? 1000 / s.perSecond;
}

export function cpuMethod(s: HttpSummary): string {
  return s.serverCpuMsPerRequest === null ? '1 ÷ req/s' : 'server CPU time ÷ requests';
}
