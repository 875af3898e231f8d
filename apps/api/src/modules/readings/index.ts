/**
 * Readings: create (single, batch, idempotent), lists, change feed, edit/delete, gamification.
 * Exports and statistics read the same table (readings.export*, modules/analytics).
 */
import type { FastifyInstance } from 'fastify';
import readingsExportRoutes from './readings.export.routes.js';
import { purgeExpired } from './readings.idempotency.js';
import { ReadingQueries } from './readings.queries.js';
import readingsRoutes from './readings.routes.js';
import { ReadingsService } from './readings.service.js';

export { ReadingsService } from './readings.service.js';

const PURGE_EVERY_MS = 3_600_000;

export function readingsService(app: FastifyInstance): ReadingsService {
  return new ReadingsService({ db: app.db.db, audit: app.audit, events: app.events, clock: app.clock });
}

export default async function readingsModule(app: FastifyInstance) {
  const writes = readingsService(app);
  const reads = new ReadingQueries({ db: app.db.db, audit: app.audit, clock: app.clock, writes });
  await app.register(readingsRoutes, { writes, reads });
  await app.register(readingsExportRoutes);
  // Expired idempotency keys are ignored when met; this only keeps the table small.
  const timer = setInterval(() => {
    purgeExpired(app.db.db, app.clock.now().getTime()).catch((err) =>
      app.log.warn({ err }, 'idempotency key purge failed'),
    );
  }, PURGE_EVERY_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
