/**
 * Glucose analytics: statistics, AGP and the clinician triage list (clinical.md; formulas and SQL
 * in README.md). `analyticsService(app)` is the entry point for other modules (the PDF report):
 * its `computeStats` / `computeAgp` return the HTTP response shapes without auditing.
 */
import type { FastifyInstance } from 'fastify';
import analyticsRoutes from './analytics.routes.js';
import { AnalyticsService } from './analytics.service.js';

export type { Agp, Stats, WindowStats } from './analytics.schema.js';
export { AnalyticsService, type ComputeOptions } from './analytics.service.js';

export function analyticsService(app: FastifyInstance): AnalyticsService {
  return new AnalyticsService({ db: app.db.db, audit: app.audit, clock: app.clock });
}

export default async function analyticsModule(app: FastifyInstance) {
  await app.register(analyticsRoutes, { service: analyticsService(app) });
}
