/**
 * HTTP hardening (security.md DP-5, DP-6, DP-7, RL-1…RL-6): security headers, an exact-origin
 * CORS allow-list, `Cache-Control: no-store` on API responses, and a global rate limit per client
 * address whose counters live in Redis when configured (shared by every instance).
 *
 * Limiter store down: requests fail closed with 503 (the store error reaches the problem renderer).
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async function security(app: FastifyInstance) {
    const { config } = app;
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"],
        },
      },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
    });

    const allowed = new Set(config.http.corsOrigins);
    await app.register(cors, {
      // Exact origins only; an unlisted origin gets no CORS headers at all (never reflected).
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'idempotency-key',
        'x-request-id',
        'last-event-id',
        'x-api-key',
      ],
      exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
      maxAge: 600,
    });

    await app.register(rateLimit, {
      global: true,
      max: config.rateLimit.max,
      timeWindow: config.rateLimit.windowMs,
      // Standard `RateLimit-*` headers (IETF draft) plus `Retry-After` on 429.
      enableDraftSpec: true,
      skipOnError: false,
      nameSpace: `${config.redis?.keyPrefix ?? 'diabetify:'}rl:`,
      ...(app.redis ? { redis: app.redis } : {}),
      // The default key is request.ip, which honours TRUST_PROXY only for the listed proxies, so
      // X-Forwarded-For from anyone else cannot move it (RL-2); IPv6 clients are grouped by /64.
    });

    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/v1')) reply.header('cache-control', 'no-store');
    });
  },
  { name: 'security', dependencies: ['context'] },
);
