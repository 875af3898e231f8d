/**
 * OpenAPI 3.1 at `GET /openapi.json`, generated from the route schemas, and an interactive UI at
 * `/docs` (served from the package's bundled assets; nothing is fetched from the internet).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';

export default fp(
  async function openapi(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Diabetify API',
          version: '1',
          description:
            'Diabetes clinic platform. Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
          // The repository's package.json says UNLICENSED: the API is not offered under an open licence (yet).
          license: { name: 'Proprietary', identifier: 'LicenseRef-Diabetify-Proprietary' },
        },
        // Relative: the document describes the server that serves it (same origin as the back-office),
        // so a client generated from it needs no host baked in.
        servers: [{ url: '/', description: 'The Diabetify server that serves this document' }],
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
        security: [],
      },
      hideUntagged: false,
    });
    // Attach the bearer requirement to every non-public route in the document.
    app.addHook('onRoute', (route) => {
      const policy = route.config?.auth;
      if (policy && policy !== 'public' && route.schema) {
        (route.schema as Record<string, unknown>).security = [{ bearer: [] }];
      }
    });
    if (app.config.http.docsEnabled) {
      await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, logLevel: 'warn' });
    }
    app.get(
      '/openapi.json',
      {
        config: { rateLimit: false },
        schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } },
      },
      async () => app.swagger(),
    );
  },
  { name: 'openapi', dependencies: ['context'] },
);
