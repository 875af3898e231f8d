/**
 * The application context: config, database, Redis, clock, event bus, audit service and signing
 * keys, decorated on the root instance so modules reach them as `app.db`, `app.audit`, …
 * Closing the app closes what this plugin opened, last (after in-flight requests finished).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { DbHandle, Executor } from '../db/client.js';
import { afterCommit } from '../db/transaction.js';
import type { Clock } from '../lib/clock.js';
import type { EventBus, EventIds } from '../lib/event-bus.js';
import { AuditService } from '../modules/audit/audit.service.js';
import { SessionGuard } from '../modules/auth/auth.guard.js';
import type { KeyStore } from '../modules/auth/auth.keys.js';
import type { Secrets } from '../modules/auth/auth.secrets.js';
import { SessionService } from '../modules/auth/auth.sessions.js';
import type { Mailer } from '../modules/notifications/mailer.js';

export interface Events {
  /** Publishes now. Use `publishAfterCommit` from inside a transaction. */
  publish(topic: string, type: string, ids: EventIds): Promise<void>;
  /** Publishes once `tx` commits; nothing is published if it rolls back. */
  publishAfterCommit(tx: Executor, topic: string, type: string, ids: EventIds): Promise<void>;
  readonly bus: EventBus;
}

export interface AppContext {
  config: Config;
  db: DbHandle;
  redis: Redis | null;
  clock: Clock;
  bus: EventBus;
  keys: KeyStore;
  secrets: Secrets;
  mailer: Mailer;
  /** Resources closed when the app closes, in order (db last). */
  owned: { close(): Promise<void> | void }[];
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: DbHandle;
    redis: Redis | null;
    clock: Clock;
    events: Events;
    audit: AuditService;
    keys: KeyStore;
    secrets: Secrets;
    mailer: Mailer;
    sessions: SessionService;
    sessionGuard: SessionGuard;
  }
}

export default fp(
  async function context(app: FastifyInstance, ctx: AppContext) {
    const events: Events = {
      bus: ctx.bus,
      publish: (topic, type, ids) => ctx.bus.publish(topic, type, ids),
      publishAfterCommit: (tx, topic, type, ids) =>
        afterCommit(tx, async () => {
          try {
            await ctx.bus.publish(topic, type, ids);
          } catch (err) {
            // The change is committed; a lost notification is logged, not turned into an error.
            app.log.warn({ err, topic, type }, 'event publish failed');
          }
        }),
    };
    app.decorate('config', ctx.config);
    app.decorate('db', ctx.db);
    app.decorate('redis', ctx.redis);
    app.decorate('clock', ctx.clock);
    app.decorate('events', events);
    app.decorate('keys', ctx.keys);
    const audit = new AuditService(ctx.db.db, ctx.clock, ctx.config.audit.chainShards);
    app.decorate('audit', audit);
    app.decorate('secrets', ctx.secrets);
    app.decorate('mailer', ctx.mailer);
    const guard = new SessionGuard(ctx.db.db, ctx.clock, ctx.bus);
    app.decorate('sessionGuard', guard);
    app.decorate(
      'sessions',
      new SessionService({
        db: ctx.db.db,
        keys: ctx.keys,
        secrets: ctx.secrets,
        clock: ctx.clock,
        audit,
        events,
        config: ctx.config,
        onRevoked: (ids) => guard.evict(ids),
      }),
    );
    app.addHook('onClose', async () => {
      for (const resource of ctx.owned) {
        try {
          await resource.close();
        } catch (err) {
          app.log.warn({ err }, 'error while closing a resource');
        }
      }
    });
  },
  { name: 'context' },
);
