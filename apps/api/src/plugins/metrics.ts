/**
 * Prometheus metrics at `GET /metrics` (behind METRICS_ENABLED): HTTP duration histogram by route
 * pattern and status (never the raw URL: ids and query strings would explode cardinality and
 * leak data), database pool gauges, and the process defaults (event-loop lag, memory, GC).
 * Each app gets its own registry so several apps in one process (tests) do not collide.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { Type } from 'typebox';
import { MALFORMED_URL } from '../lib/http.js';

export default fp(
  async function metrics(app: FastifyInstance) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    const poolStat = (name: string, help: string, pick: (s: ReturnType<typeof app.db.poolStats>) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(pick(app.db.poolStats()));
        },
      });
    poolStat('db_pool_connections_total', 'Open database connections', (s) => s.total);
    poolStat('db_pool_connections_idle', 'Idle database connections', (s) => s.idle);
    poolStat('db_pool_requests_waiting', 'Queries waiting for a connection', (s) => s.waiting);
    poolStat('db_pool_connections_max', 'Configured pool size', (s) => s.max);

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    if (!app.config.http.metricsEnabled) return;
    app.get(
      '/metrics',
      {
        config: { rateLimit: false },
        schema: {
          operationId: 'getMetrics',
          tags: ['service'],
          summary: 'Prometheus metrics',
          response: { 200: Type.String({ description: 'Prometheus text exposition format' }), ...MALFORMED_URL },
        },
      },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );
  },
  { name: 'metrics', dependencies: ['context'] },
);
