/**
 * The infrastructure context: config, database, Redis, clock and event publisher, decorated on the
 * root instance so modules reach them as `app.db`, `app.clock`, … Domain services (audit, sessions,
 * signing keys) are built and decorated by app.ts, the composition root, not here: a plugin never
 * imports a module. Closing the app closes what was opened for it, last (after in-flight requests).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { DbHandle } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Events } from '../lib/events.js';

export interface AppContext {
  config: Config;
  db: DbHandle;
  redis: Redis | null;
  clock: Clock;
  events: Events;
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
  }
}

export default fp(
  async function context(app: FastifyInstance, ctx: AppContext) {
    app.decorate('config', ctx.config);
    app.decorate('db', ctx.db);
    app.decorate('redis', ctx.redis);
    app.decorate('clock', ctx.clock);
    app.decorate('events', ctx.events);
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
