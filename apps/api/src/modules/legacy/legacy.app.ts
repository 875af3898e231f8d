/**
 * One legacy listener = one more Fastify instance in the same process (legacy-compat.md, "How the
 * compatibility layer is deployed"). It shares the main app's context by reference — database pool,
 * Redis, clock, event bus, audit service, signing keys, session guard — so a legacy write is the same
 * domain operation as on /v1, and a revocation seen by one listener is seen by all. What differs is
 * only the HTTP edge: FastAPI-shaped errors, empty JSON bodies and OAuth2 forms accepted, both
 * trailing-slash forms served, the back-office CORS allow-list, and its own OpenAPI document.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { serverOptions } from '../../app.js';
import authPlugin from '../../plugins/auth.js';
import { registerEdgeSecurity } from '../../plugins/security.js';
import validationPlugin from '../../plugins/validation.js';
import legacyDocs from './legacy.docs.js';
import { legacyNotFound, MethodIndex, renderLegacyError } from './legacy.errors.js';
import type { LegacyKind } from './legacy.kinds.js';

/** The main app's shared services, decorated under the names the plugins and services expect. */
const sharedContext = fp(
  async (legacy: FastifyInstance, { main }: { main: FastifyInstance }) => {
    for (const name of [
      'config',
      'db',
      'redis',
      'clock',
      'events',
      'audit',
      'keys',
      'secrets',
      'mailer',
      'sessions',
      'sessionGuard',
    ] as const) {
      legacy.decorate(name, main[name] as never);
    }
  },
  { name: 'context' },
);

/** The old JSON parser accepted an empty body (the app posts `Content-Type: application/json` with none). */
function acceptEmptyJson(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // OAuth2 password form on /token (A.2); one value per field, the first wins like Starlette.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const form: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(String(body))) form[key] ??= value;
    done(null, form);
  });
}

export async function buildLegacyApp(
  main: FastifyInstance,
  kind: LegacyKind,
  routes: FastifyPluginAsync,
  /** True while the process drains: responses then close their keep-alive connection. */
  draining: () => boolean = () => false,
): Promise<FastifyInstance> {
  const { config } = main;
  const app = Fastify({
    loggerInstance: main.log.child({ listener: `legacy-${kind}` }),
    ...serverOptions(config),
    // E.13: the old clients call both `/achievements/` and `/users` forms; FastAPI redirected one of
    // them with a 307 that some HTTP stacks drop the body on. We serve both directly.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 200 },
  });
  app.removeContentTypeParser('text/plain');
  acceptEmptyJson(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (request, reply) => {
    if (draining()) reply.header('connection', 'close');
    // Patient data must not sit in shared caches; the docs UI's assets may.
    if (!request.url.startsWith('/docs')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });

  const methods = new MethodIndex();
  app.addHook('onRoute', (route) => {
    // Plugins' own routes (CORS preflight, the docs UI's assets) are public by nature.
    const pluginRoute = route.method === 'OPTIONS' || route.url.startsWith('/docs');
    if (route.config?.auth === undefined && !pluginRoute) {
      throw new Error(`legacy route ${route.method} ${route.url} declares no auth policy (config.auth)`);
    }
    for (const method of [route.method].flat()) methods.add(String(method), route.url);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => renderLegacyError(app, error, request, reply));

  await app.register(sharedContext, { main });
  await app.register(validationPlugin);
  // E.21: the old back-office answered every origin; we answer the configured ones (`*` only
  // outside production, refused by config validation in production). The patient gateway is not
  // called from browsers: no CORS. Counters share the /v1 store in their own key space, so a
  // client's legacy and /v1 budgets are separate.
  const origins = new Set(config.legacy.backofficeCorsOrigins);
  const anyOrigin = origins.has('*') && !config.isProduction;
  await registerEdgeSecurity(app, {
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: kind === 'backoffice' ? 'cross-origin' : 'same-origin',
    ...(kind === 'backoffice'
      ? {
          cors: {
            allows: (origin: string) => anyOrigin || origins.has(origin),
            allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
            exposedHeaders: ['x-request-id', 'retry-after'],
          },
        }
      : {}),
    rateLimitSpace: `rl:legacy-${kind}:`,
  });
  await app.register(authPlugin, main.authGate);
  await app.register(legacyDocs, { kind });
  await app.register(routes);
  app.setNotFoundHandler(legacyNotFound(methods));
  await app.ready();
  return app;
}
