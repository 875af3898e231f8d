/**
 * `GET /health`, `GET /docs` and `GET /openapi.json` on each legacy listener (A.1 #20–21, E.14): the
 * old integration suites gate on `/docs` answering 200, CI waits on `/health`. Always on, whatever
 * DOCS_ENABLED says for /v1, because old tooling treats a missing `/docs` as "server down".
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { LEGACY_TITLES, type LegacyKind } from './legacy.kinds.js';

const HEALTH_TIMEOUT_MS = 700;

async function legacyDocs(app: FastifyInstance, { kind }: { kind: LegacyKind }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: LEGACY_TITLES[kind],
        version: 'legacy',
        description:
          'Wire-compatible with the old FastAPI gateway (legacy-compat.md): FastAPI error bodies ' +
          '(`{"detail": …}`), `DD/MM/YYYY HH:MM:SS` dates in the clinic timezone, integer ids. ' +
          'New clients use the /v1 API on the main listener.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  app.addHook('onRoute', (route) => {
    const policy = route.config?.auth;
    if (policy && policy !== 'public' && route.schema) {
      (route.schema as Record<string, unknown>).security = [{ bearer: [] }];
    }
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, logLevel: 'warn' });
  app.get(
    '/openapi.json',
    {
      config: { auth: 'public', rateLimit: false },
      schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } },
    },
    async () => app.swagger(),
  );
  app.get(
    '/health',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        tags: ['service'],
        summary: 'Liveness with a bounded database ping',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('up') }),
          503: Type.Object({ status: Type.Literal('unavailable'), database: Type.Literal('down') }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await app.db.ping(HEALTH_TIMEOUT_MS);
        return { status: 'ok' as const, database: 'up' as const };
      } catch {
        return reply.status(503).send({ status: 'unavailable' as const, database: 'down' as const });
      }
    },
  );
}

// Not encapsulated: the document must see the routes registered after it on the listener.
export default fp(legacyDocs, { name: 'legacy-docs' });
