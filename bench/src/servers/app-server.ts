/**
 * The real server, as `diabetify serve` runs it (loadConfig → startServer: every plugin, the
 * database pool, rate limiting, audit), plus bench-only routes registered before listening:
 *
 * - `GET /v1/bench/anon`: public no-op under `/v1` (same hooks as every API route).
 * - `GET /v1/bench/noop`: the same no-op behind `config.auth` (`audience: 'any'`): the difference
 *   between the two is what token verification costs per request.
 * - `GET /bench/stats[?reset=1]`: RSS and event-loop delay since the last reset, read by the
 *   harness between phases (never under load).
 *
 * Logs go through the real logger at the configured level into /dev/null: serialising each
 * request line is part of the platform's cost, writing to a terminal is not.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '@diabetify/api/dist/config/index.js';
// Type-only: the request/instance decorations (principal, db) these plugins declare.
import type {} from '@diabetify/api/dist/plugins/auth.js';
import type {} from '@diabetify/api/dist/plugins/context.js';
import { startServer } from '@diabetify/api/dist/server.js';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';

/** Timer interval of the event-loop delay histogram; subtracted from what it reports. */
const ELD_RESOLUTION_MS = 10;
const OK = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } as const;

const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
eld.enable();

const ms = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);

function benchRoutes(app: FastifyInstance): void {
  // `hide` keeps the bench routes out of /openapi.json (a @fastify/swagger schema key).
  const schema = { hide: true, response: { 200: OK } };
  const hidden: Record<string, unknown> = { hide: true };
  app.get('/v1/bench/anon', { config: { auth: 'public' }, schema }, async () => ({ ok: true }));
  app.get('/v1/bench/noop', { config: { auth: { audience: 'any' } }, schema }, async (request) => ({
    ok: request.principal !== null,
  }));
  app.get('/bench/stats', { schema: hidden }, async (request) => {
    const body = {
      rss: process.memoryUsage().rss,
      eventLoopDelay: { p50Ms: ms(eld.percentile(50)), p99Ms: ms(eld.percentile(99)), maxMs: ms(eld.max) },
    };
    if ((request.query as Record<string, unknown>).reset === '1') eld.reset();
    return body;
  });
}

const config = loadConfig();
const running = await startServer(config, {
  logStream: pino.destination({ dest: '/dev/null', sync: true }),
  beforeListen: benchRoutes,
});
// The route table tells the harness which capabilities this build has (a missing one stays a
// "not built yet" row instead of failing the run).
const routes = running.app.routeTable.map((r) => `${r.method} ${r.url}`);
process.stdout.write(
  `${JSON.stringify({ url: running.url, pid: process.pid, database: running.app.db.kind, routes })}\n`,
);
