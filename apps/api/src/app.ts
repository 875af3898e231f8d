/**
 * buildApp(config): the whole HTTP application, never listening (architecture rule 1).
 * server.ts listens; tests call `app.inject()`.
 */
import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { Redis } from 'ioredis';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config/index.js';
import { type DbHandle, openDatabase } from './db/client.js';
import { type Clock, systemClock } from './lib/clock.js';
import { type EventBus, InProcessEventBus, RedisEventBus } from './lib/event-bus.js';
import { createEvents } from './lib/events.js';
import { loggerOptions } from './lib/logger.js';
import type { RoutePolicy } from './lib/principal.js';
import analyticsModule from './modules/analytics/index.js';
import { DeviceKeyAuthenticator } from './modules/api-keys/api-keys.authenticate.js';
import apiKeysModule from './modules/api-keys/index.js';
import appointmentsModule from './modules/appointments/index.js';
import { AuditService } from './modules/audit/audit.service.js';
import auditModule from './modules/audit/index.js';
import { SessionGuard } from './modules/auth/auth.guard.js';
import { KeyStore } from './modules/auth/auth.keys.js';
import { StaffMfaStatus } from './modules/auth/auth.mfa-status.js';
import { loadSecrets, type Secrets } from './modules/auth/auth.secrets.js';
import { SessionService } from './modules/auth/auth.sessions.js';
import authModule from './modules/auth/index.js';
import healthModule from './modules/health/index.js';
import meModule from './modules/me/index.js';
import notesModule from './modules/notes/index.js';
import { createMailer, type Mailer } from './modules/notifications/mailer.js';
import patientsModule from './modules/patients/index.js';
import readingsModule from './modules/readings/index.js';
import staffModule from './modules/staff/index.js';
import adminUiPlugin from './plugins/admin-ui.js';
import authPlugin, { type AuthPluginOptions } from './plugins/auth.js';
import contextPlugin, { type AppContext } from './plugins/context.js';
import metricsPlugin from './plugins/metrics.js';
import problemDetails from './plugins/problem-details.js';
import securityPlugin from './plugins/security.js';
import swaggerPlugin from './plugins/swagger.js';
import validationPlugin from './plugins/validation.js';

export interface RouteEntry {
  method: string;
  url: string;
  policy: RoutePolicy | undefined;
  /** Left out of the OpenAPI document on purpose (`schema.hide`). */
  hidden: boolean;
}

/**
 * The domain services app.ts builds and decorates on the root instance (module index files wire
 * their services from these; the legacy listeners share them). Declared here, where they are
 * built, so that plugins/context.ts stays free of modules.
 */
declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly RouteEntry[];
    audit: AuditService;
    keys: KeyStore;
    secrets: Secrets;
    mailer: Mailer;
    sessions: SessionService;
    sessionGuard: SessionGuard;
    /** What the auth plugin needs, for every listener that registers it. */
    authGate: AuthPluginOptions;
  }
}

export interface BuildOptions {
  /** An already-open database (tests); otherwise the configured one is opened and owned. */
  db?: DbHandle;
  redis?: Redis | null;
  clock?: Clock;
  keys?: KeyStore;
  secrets?: Secrets;
  mailer?: Mailer;
  bus?: EventBus;
  /** Where log lines go (tests capture them); default stdout. */
  logStream?: DestinationStream;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids: a well-formed incoming X-Request-Id is kept (correlation across services, and the
 * legacy app sends one on every call), anything else is replaced, so a hostile header cannot inject
 * into logs.
 */
export function requestIdOf(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function createRedis(config: NonNullable<Config['redis']>): Redis {
  return new Redis(config.url, {
    // Fail fast instead of queueing while disconnected, and bound every command (security.md F6/F7).
    enableOfflineQueue: false,
    commandTimeout: config.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}

export function trustProxyOption(trust: Config['http']['trustProxy']) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return [...trust];
}

/** HTTP server options shared by the main listener and the legacy ones (modules/legacy). */
export function serverOptions(config: Config) {
  return {
    genReqId: requestIdOf,
    // One access-log line per request, written at completion (Fastify's default writes two):
    // logging is a measurable share of a small request's CPU (bench: ≈ 0.35 → 0.19 ms at warn).
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    trustProxy: trustProxyOption(config.http.trustProxy),
    bodyLimit: config.http.bodyLimit,
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.requestTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
  };
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    ...serverOptions(config),
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Every route as registered, with its policy: the access-matrix test and the route inventory
  // walk this list, so a new route cannot escape them.
  const routeTable: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    for (const method of [route.method].flat()) {
      routeTable.push({ method: String(method), url: route.url, policy: route.config?.auth, hidden });
    }
  });
  app.decorate('routeTable', routeTable);

  // JSON only: Fastify also parses text/plain by default, which no route of ours expects (415).
  // Modules that need another media type (the legacy OAuth2 form) register a parser in their scope.
  app.removeContentTypeParser('text/plain');

  const owned: AppContext['owned'] = [];
  let redis = options.redis;
  if (redis === undefined && config.redis) {
    redis = createRedis(config.redis);
    redis.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'redis error'));
    owned.push({ close: () => void redis?.disconnect() });
    try {
      await redis.connect();
    } catch (err) {
      // Start anyway: readiness reports Redis down and the client keeps reconnecting.
      app.log.error({ err }, 'redis unreachable at startup');
    }
  }
  if (!config.redis) {
    app.log.warn(
      'REDIS_URL is not set: single-instance mode (rate limits, revocation and events stay in this process)',
    );
  }
  const clock = options.clock ?? systemClock;
  const bus =
    options.bus ??
    (redis
      ? new RedisEventBus(
          redis,
          config.redis?.keyPrefix ?? 'diabetify:',
          () => clock.now(),
          (err) => app.log.warn({ err }, 'event bus error'),
        )
      : new InProcessEventBus(() => clock.now()));
  if (!options.bus) owned.unshift(bus);
  const db = options.db ?? (await openDatabase(config, app.log as unknown as Logger));
  if (!options.db) owned.push(db);
  const keys = options.keys ?? (await KeyStore.load(config));
  const secrets = options.secrets ?? loadSecrets(config);
  const mailer = options.mailer ?? createMailer(config);
  if (!options.mailer) owned.unshift({ close: () => mailer.close() });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });

  const events = createEvents(bus, (err, topic, type) =>
    // The change is committed; a lost notification is logged, not turned into an error.
    app.log.warn({ err, topic, type }, 'event publish failed'),
  );
  await app.register(contextPlugin, { config, db, redis: redis ?? null, clock, events, owned });
  const audit = new AuditService(db.db, clock, config.audit.chainShards);
  const sessionGuard = new SessionGuard(db.db, clock, bus);
  const sessions = new SessionService({
    db: db.db,
    keys,
    secrets,
    clock,
    audit,
    events,
    config,
    onRevoked: (ids) => sessionGuard.evict(ids),
  });
  app.decorate('audit', audit);
  app.decorate('keys', keys);
  app.decorate('secrets', secrets);
  app.decorate('mailer', mailer);
  app.decorate('sessions', sessions);
  app.decorate('sessionGuard', sessionGuard);
  app.decorate('authGate', {
    tokens: keys,
    sessions: sessionGuard,
    deviceKeys: new DeviceKeyAuthenticator(db.db, clock, secrets),
    staffMfa: new StaffMfaStatus(db.db, clock),
    audit,
  });
  await app.register(validationPlugin);
  await app.register(securityPlugin);
  // After security: the not-found handler is rate limited too (probing unknown URLs is not free).
  await app.register(problemDetails);
  // Swagger first: it documents only routes registered after it.
  await app.register(swaggerPlugin);
  await app.register(metricsPlugin);
  await app.register(authPlugin, app.authGate);

  await app.register(healthModule);
  await app.register(authModule);
  await app.register(auditModule);
  await app.register(patientsModule);
  await app.register(staffModule);
  await app.register(meModule);
  await app.register(apiKeysModule);
  await app.register(appointmentsModule);
  await app.register(notesModule);
  await app.register(readingsModule);
  await app.register(analyticsModule);
  // The back-office build at /admin/ (same origin as /v1), and / redirecting to it.
  await app.register(adminUiPlugin);

  return app;
}
