/**
 * The HTTP server section: listener, limits, proxies, CORS, docs/metrics switches, logging and the
 * global rate limit.
 */
import path from 'node:path';
import { type Static, Type } from 'typebox';
import { Bool, bool, list } from './parse.js';

export const serverEnv = {
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  LOG_PRETTY: Type.Optional(Bool),
  CORS_ORIGINS: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({ default: '' }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 1_048_576, minimum: 1024, maximum: 52_428_800 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30000, minimum: 1000 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100 }),
  RATE_LIMIT_MAX: Type.Integer({ default: 600, minimum: 1 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ default: 60000, minimum: 1000 }),
  METRICS_ENABLED: Type.Optional(Bool),
  DOCS_ENABLED: Type.Optional(Bool),
  PUBLIC_WEB_ORIGIN: Type.Optional(Type.String({ pattern: '^https?://' })),
  // back-office build served at /admin/ (default: apps/admin/dist next to the server)
  ADMIN_DIST_DIR: Type.Optional(Type.String({ minLength: 1 })),
};
const ServerEnv = Type.Object(serverEnv);
type ServerEnv = Static<typeof ServerEnv>;

export interface ServerConfig {
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimit: number;
    readonly requestTimeoutMs: number;
    readonly shutdownTimeoutMs: number;
    /** false, the number of proxy hops in front of us, or the proxy addresses/CIDRs we trust. */
    readonly trustProxy: false | number | readonly string[];
    readonly corsOrigins: readonly string[];
    readonly docsEnabled: boolean;
    readonly metricsEnabled: boolean;
    readonly publicWebOrigin: string;
    /** The back-office build folder served at /admin/; null = the default next to the server. */
    readonly adminDistDir: string | null;
  };
  readonly log: { readonly level: string; readonly pretty: boolean };
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
}

/**
 * TRUST_PROXY: empty = trust nobody; a hop count (`1`); or proxy addresses/CIDRs. "Trust
 * everyone" is refused in every mode: it lets any client choose its rate-limit key (RL-2).
 * Returns the setting, or a problem message.
 */
export function parseTrustProxy(value: string): false | number | string[] | string {
  const items = list(value);
  if (items.length === 0) return false;
  if (items.some((p) => p === '*' || p.toLowerCase() === 'true'))
    return 'TRUST_PROXY must name proxy addresses or a hop count, not trust everyone';
  if (items.length === 1 && /^[0-9]+$/.test(items[0] as string)) {
    const hops = Number(items[0]);
    return hops >= 1 && hops <= 10 ? hops : 'TRUST_PROXY hop count must be between 1 and 10';
  }
  const bad = items.filter(
    (p) => !/^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/.test(p) && p !== 'loopback' && p !== 'uniquelocal' && p !== 'linklocal',
  );
  return bad.length > 0 ? `TRUST_PROXY: not an address or CIDR: ${bad.join(', ')}` : items;
}

/** The section from a validated environment; `trustProxy` already checked by `parseTrustProxy`. */
export function serverConfig(env: ServerEnv, trustProxy: false | number | string[], isTty: boolean): ServerConfig {
  return {
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimit: env.BODY_LIMIT_BYTES,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      trustProxy,
      corsOrigins: list(env.CORS_ORIGINS),
      docsEnabled: bool(env.DOCS_ENABLED, true),
      metricsEnabled: bool(env.METRICS_ENABLED, true),
      publicWebOrigin: env.PUBLIC_WEB_ORIGIN ?? `http://localhost:${env.PORT}`,
      adminDistDir: env.ADMIN_DIST_DIR ? path.resolve(env.ADMIN_DIST_DIR) : null,
    },
    log: { level: env.LOG_LEVEL, pretty: bool(env.LOG_PRETTY, isTty) },
    rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS },
  };
}
