/**
 * The real server under test (servers/app-server.ts), started pinned with the run's settings, and
 * what every platform scenario needs from it: which routes it has, and signed-in callers.
 */
import { type RunContext, script } from '../context.js';
import { BENCH_PASSWORD } from '../database.js';
import { fetchJson } from '../http-load.js';
import { type Child, startChild } from '../proc.js';
import { url } from './common.js';

export function appEnv(ctx: RunContext): Record<string, string> {
  return {
    // Development mode only changes where keys and secrets come from (generated into DATA_DIR);
    // the request path is the production one.
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    // Unset DATABASE_URL = embedded PGlite in DATA_DIR/pglite (where the harness loaded it).
    ...(ctx.db.target.kind === 'postgres' ? { DATABASE_URL: ctx.db.target.url } : {}),
    DATA_DIR: ctx.serverDataDir,
    LOG_LEVEL: ctx.opts.logLevel,
    LOG_PRETTY: 'false',
    // The limiter still runs on every request; it just must not answer 429 to the load generator.
    RATE_LIMIT_MAX: '1000000000',
    LOGIN_MAX_PER_IP_PER_MIN: '1000000000',
    ...(ctx.opts.redisUrl ? { REDIS_URL: ctx.opts.redisUrl, REDIS_KEY_PREFIX: `diabetify-bench-${process.pid}:` } : {}),
  };
}

export async function startApp(ctx: RunContext): Promise<Child> {
  const app = await startChild(ctx.pinning, script('servers/app-server.js'), appEnv(ctx));
  ctx.shared.routes ??= routesOf(app);
  return app;
}

/** The server's route table, from its ready message. */
function routesOf(app: Child): string[] {
  const routes = app.ready.routes;
  return Array.isArray(routes) ? routes.map(String) : [];
}

/** Whether the started server registered `METHOD url`. */
export function hasRoute(app: Child, method: string, path: string): boolean {
  return routesOf(app).includes(`${method} ${path}`);
}

/** The route table of this build, starting a server once if none has run yet. */
export async function knownRoutes(ctx: RunContext): Promise<string[]> {
  if (!ctx.shared.routes) {
    const app = await startApp(ctx);
    await app.stop();
  }
  return ctx.shared.routes ?? [];
}

/** Signs in with the shared bench password; returns the access token. */
export async function login(app: Child, identifier: string): Promise<string> {
  const { accessToken } = await fetchJson<{ accessToken: string }>(`${url(app)}/v1/auth/login`, {
    method: 'POST',
    body: { identifier, password: BENCH_PASSWORD },
  });
  return accessToken;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
