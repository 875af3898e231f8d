/**
 * HTTP hardening (security.md DP-5, DP-6, DP-7, RL-1…RL-6): security headers, an exact-origin
 * CORS allow-list, `Cache-Control: no-store` on API responses, and a global rate limit per client
 * address whose counters live in Redis when configured (shared by every instance).
 *
 * Limiter store down: requests fail closed with 503 (the store error reaches the problem renderer).
 *
 * `registerEdgeSecurity` is the one set-up of headers, CORS and rate limit; the legacy listeners
 * (modules/legacy/legacy.app.ts) call it too, with their own differences spelled out as options.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface EdgeSecurity {
  /** CSP directives; `false` where a listener serves pages that need none (the legacy docs UI). */
  contentSecurityPolicy: false | Record<string, string[]>;
  crossOriginResourcePolicy: 'same-origin' | 'cross-origin';
  /** Browser access: exact origins only. Omitted = no CORS headers at all. */
  cors?: { allows: (origin: string) => boolean; allowedHeaders: string[]; exposedHeaders: string[] };
  /** Key space of this listener's rate-limit counters, below the Redis key prefix. */
  rateLimitSpace: string;
}

export async function registerEdgeSecurity(app: FastifyInstance, edge: EdgeSecurity): Promise<void> {
  const { config } = app;
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy:
      edge.contentSecurityPolicy === false ? false : { useDefaults: false, directives: edge.contentSecurityPolicy },
    crossOriginResourcePolicy: { policy: edge.crossOriginResourcePolicy },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  });

  if (edge.cors) {
    const { allows, allowedHeaders, exposedHeaders } = edge.cors;
    await app.register(cors, {
      // An unlisted origin gets no CORS headers at all (never reflected).
      origin: (origin, cb) => cb(null, origin !== undefined && allows(origin)),
      credentials: true,
      methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
      allowedHeaders,
      exposedHeaders,
      maxAge: 600,
    });
  }

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    // Standard `RateLimit-*` headers (IETF draft) plus `Retry-After` on 429.
    enableDraftSpec: true,
    skipOnError: false,
    nameSpace: `${config.redis?.keyPrefix ?? 'diabetify:'}${edge.rateLimitSpace}`,
    ...(app.redis ? { redis: app.redis } : {}),
    // The default key is request.ip, which honours TRUST_PROXY only for the listed proxies, so
    // X-Forwarded-For from anyone else cannot move it (RL-2); IPv6 clients are grouped by /64.
  });
}

export default fp(
  async function security(app: FastifyInstance) {
    const allowed = new Set(app.config.http.corsOrigins);
    await registerEdgeSecurity(app, {
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
      crossOriginResourcePolicy: 'same-origin',
      cors: {
        allows: (origin) => allowed.has(origin),
        allowedHeaders: [
          'authorization',
          'content-type',
          'idempotency-key',
          'x-request-id',
          'last-event-id',
          'x-api-key',
        ],
        exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
      },
      rateLimitSpace: 'rl:',
    });

    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/v1')) reply.header('cache-control', 'no-store');
    });
  },
  { name: 'security', dependencies: ['context'] },
);
