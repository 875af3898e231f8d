/**
 * Liveness and readiness. Readiness pings the database and Redis in parallel, each bounded, so it
 * answers within a second even when PostgreSQL hangs (a SIGSTOPped server never answers at all).
 */
import { Problem } from '@diabetify/contracts';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withTimeout } from '../../db/client.js';
import { MALFORMED_URL } from '../../lib/http.js';
import { route } from '../../lib/route.js';
import { problem } from '../../plugins/problem-details.js';

const CHECK_TIMEOUT_MS = 700;

const Check = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('disabled')]),
  latencyMs: Type.Optional(Type.Number()),
});
const Checks = Type.Object({ database: Check, redis: Check });
const Ready = Type.Object({ status: Type.Literal('ok'), checks: Checks });
const NotReady = Type.Object({ ...Problem.properties, checks: Checks });

async function timed(check: () => Promise<unknown>) {
  const start = performance.now();
  try {
    await check();
    return { status: 'up' as const, latencyMs: Math.round((performance.now() - start) * 10) / 10 };
  } catch {
    return { status: 'down' as const };
  }
}

export default async function healthModule(app: FastifyInstance) {
  const common = { tags: ['service'], auth: 'public', config: { rateLimit: false } } as const;

  route(app, {
    ...common,
    method: 'GET',
    url: '/health/live',
    operationId: 'getLiveness',
    summary: 'The process is up',
    success: { 200: Type.Object({ status: Type.Literal('ok') }) },
    errors: MALFORMED_URL,
    handler: async () => ({ status: 'ok' as const }),
  });

  route(app, {
    ...common,
    method: 'GET',
    url: '/health/ready',
    operationId: 'getReadiness',
    summary: 'Database (and Redis when configured) reachable',
    success: { 200: Ready },
    errors: { ...MALFORMED_URL, 503: NotReady },
    handler: async (request, reply) => {
      const redis = app.redis;
      const [database, redisCheck] = await Promise.all([
        timed(() => app.db.ping(CHECK_TIMEOUT_MS)),
        redis
          ? timed(() => withTimeout(redis.ping(), CHECK_TIMEOUT_MS, 'redis ping'))
          : { status: 'disabled' as const },
      ]);
      const checks = { database, redis: redisCheck };
      if (database.status === 'down' || redisCheck.status === 'down') {
        const body = problem(request, 503, 'not_ready', 'Not ready', 'A dependency is unreachable.');
        return reply
          .status(503)
          .type('application/problem+json')
          .header('retry-after', '5')
          .send({ ...body, checks });
      }
      return { status: 'ok' as const, checks };
    },
  });
}
