/**
 * Runs the server: config → buildApp → migrate (embedded, or when asked) → listen, with graceful
 * shutdown on SIGTERM/SIGINT: stop accepting, let in-flight requests finish (bounded by
 * SHUTDOWN_TIMEOUT_MS), close Redis and the database, exit 0.
 */
import type { FastifyInstance } from 'fastify';
import { type BuildOptions, buildApp } from './app.js';
import type { Config } from './config/index.js';
import { DEMO_SEED, type DemoStartResult, demoClinicOnStart, demoSignInMessage } from './db/seed/demo.js';
import { hashPassword, verifyPassword } from './modules/auth/auth.passwords.js';
import { type LegacyListeners, startLegacyListeners } from './modules/legacy/index.js';
import { ensureBootstrapAdmin } from './modules/staff/staff.bootstrap.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Base URLs of the legacy listeners (LEGACY_GATEWAY_PORT / LEGACY_BACKOFFICE_PORT), null when off. */
  legacy: LegacyListeners['urls'];
  /** Resolves with the exit code once shutdown completed (or was forced). */
  shutdown(reason: string): Promise<number>;
}

export interface StartOptions extends BuildOptions {
  /** Called with the exit code after a signal-triggered shutdown; default `process.exit`. */
  exit?: (code: number) => void;
  /** Registers extra routes before listening (tests: a deliberately slow route). */
  beforeListen?: (app: FastifyInstance) => Promise<void> | void;
  signals?: readonly NodeJS.Signals[];
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const started = performance.now();
  const app = await buildApp(config, options);
  if (app.db.kind === 'pglite') {
    // Embedded mode applies migrations itself so `npm start` works on a fresh machine.
    await app.db.migrate();
  }
  let demo: DemoStartResult;
  try {
    // Development on an empty database: the demo clinic, so a newcomer has accounts to sign in with.
    demo = await demoClinicOnStart(app.db, config, app.log, {
      hash: hashPassword,
      verify: (password, stored) => verifyPassword(password, stored, 'argon2id'),
    });
    // The first admin (BOOTSTRAP_ADMIN_*), only when none exists; refused in production with a weak password.
    await ensureBootstrapAdmin({ db: app.db.db, audit: app.audit, clock: app.clock, log: app.log }, config);
  } catch (err) {
    await app.close();
    throw err;
  }
  let draining = false;
  // Responses finished while draining close their keep-alive connection, so close() is not held
  // open by idle sockets until the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  await options.beforeListen?.(app);
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  let legacy: LegacyListeners;
  try {
    legacy = await startLegacyListeners(app, () => draining);
  } catch (err) {
    await app.close();
    throw err;
  }
  app.log.info(
    { url, database: app.db.kind, redis: Boolean(app.redis), startupMs: Math.round(performance.now() - started) },
    `Diabetify listening on ${url}`,
  );
  // The public origin (the one in mailed links, where the refresh cookie lives), unless the port
  // was chosen at random (tests): then only the listening address is reachable.
  const site = config.http.port === 0 ? url : config.http.publicWebOrigin;
  app.log.info(
    { backOffice: `${site}/admin/`, docs: config.http.docsEnabled ? `${site}/docs` : null },
    `back-office: ${site}/admin/${config.http.docsEnabled ? ` · API docs: ${site}/docs` : ''}`,
  );
  // Last, so the newcomer reads it under the URL: who to sign in as (demo databases only).
  if (demo.signInHint) app.log.info(demoSignInMessage(DEMO_SEED, `${site}/admin/`));

  let closing: Promise<number> | null = null;
  const shutdown = (reason: string): Promise<number> => {
    closing ??= (async () => {
      draining = true;
      app.log.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          app.log.error({ timeoutMs: config.http.shutdownTimeoutMs }, 'shutdown timed out; closing connections');
          app.server.closeAllConnections();
          for (const legacyApp of legacy.apps) legacyApp.server.closeAllConnections();
          resolve(1);
        }, config.http.shutdownTimeoutMs);
        timer.unref();
      });
      // Legacy listeners first: they use the main app's database and Redis, which it closes last.
      const closeAll = async () => {
        await legacy.close();
        await app.close();
        return 0;
      };
      const code = await Promise.race([closeAll(), forced]);
      clearTimeout(timer);
      for (const signal of signals) process.off(signal, onSignal);
      app.log.info({ code }, 'shutdown complete');
      return code;
    })();
    return closing;
  };

  const signals = options.signals ?? (['SIGTERM', 'SIGINT'] as const);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  function onSignal(signal: NodeJS.Signals) {
    void shutdown(signal).then(exit);
  }
  for (const signal of signals) process.once(signal, onSignal);

  return { app, url, legacy: legacy.urls, shutdown };
}
