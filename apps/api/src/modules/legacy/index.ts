/**
 * Legacy compatibility (README.md): the old patient and back-office gateway APIs on two extra
 * listeners of this process, each an adapter over the domain services.
 */
import type { FastifyInstance } from 'fastify';
import { buildLegacyApp } from './legacy.app.js';
import backofficeRoutes from './legacy.backoffice.js';
import gatewayRoutes from './legacy.gateway.js';
import type { LegacyKind } from './legacy.kinds.js';

export { buildLegacyApp } from './legacy.app.js';

export interface LegacyListeners {
  urls: Record<LegacyKind, string | null>;
  apps: FastifyInstance[];
  /** Stops accepting and finishes in-flight requests (called before the main app closes). */
  close(): Promise<void>;
}

const ROUTES = { gateway: gatewayRoutes, backoffice: backofficeRoutes } as const;

/** Opens the listeners whose ports are configured (0 = any free port); none when both are unset. */
export async function startLegacyListeners(
  main: FastifyInstance,
  draining: () => boolean = () => false,
): Promise<LegacyListeners> {
  const { config } = main;
  const ports: Record<LegacyKind, number | null> = {
    gateway: config.legacy.gatewayPort,
    backoffice: config.legacy.backofficePort,
  };
  const urls: Record<LegacyKind, string | null> = { gateway: null, backoffice: null };
  const apps: FastifyInstance[] = [];
  const close = async () => {
    await Promise.all(apps.map((a) => a.close()));
  };
  try {
    for (const kind of ['gateway', 'backoffice'] as const) {
      const port = ports[kind];
      if (port === null) continue;
      const app = await buildLegacyApp(main, kind, ROUTES[kind], draining);
      apps.push(app);
      urls[kind] = await app.listen({ host: config.http.host, port });
      main.log.info({ url: urls[kind], listener: `legacy-${kind}` }, `legacy ${kind} listening on ${urls[kind]}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { urls, apps, close };
}
