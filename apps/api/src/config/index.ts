/**
 * The only place that reads `process.env` (architecture rule 7).
 *
 * The environment is validated against one TypeBox schema (`env.ts`, composed from the sections:
 * server, storage, identity, clinic, queue), then each section maps its variables onto its part of
 * a nested, frozen `Config`. Production mode collects *every* problem before refusing to start, so
 * an operator fixes the deployment in one round instead of one variable per restart.
 */
import { isValidTimezone } from '../lib/local-time.js';
import { type ClinicConfig, clinicConfig } from './clinic.js';
import { type Env, isValidEnv, readEnv, schemaProblems } from './env.js';
import { bootstrapVariablesSet, type IdentityConfig, identityConfig } from './identity.js';
import { ConfigError } from './parse.js';
import { productionProblems } from './production.js';
import { parseQueueSchedule, type QueueConfig, queueConfig } from './queue.js';
import { parseTrustProxy, type ServerConfig, serverConfig } from './server.js';
import { type StorageConfig, storageConfig } from './storage.js';

export { ConfigError } from './parse.js';
export { parseQueueSchedule, type QueueWindow } from './queue.js';

export interface Config extends ServerConfig, StorageConfig, IdentityConfig, ClinicConfig, QueueConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly isProduction: boolean;
}

/**
 * Validate the environment and build the frozen config. Throws `ConfigError` listing every problem.
 * Empty strings are treated as unset so `.env` files can leave a line blank.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const withDefaults = readEnv(source);
  const problems: string[] = [];
  if (!isValidEnv(withDefaults)) problems.push(...schemaProblems(withDefaults));
  // Keep going: production problems are reported in the same round as malformed values.
  const env = withDefaults as Env;
  if (!isValidTimezone(env.CLINIC_TIMEZONE)) problems.push(`CLINIC_TIMEZONE: unknown zone ${env.CLINIC_TIMEZONE}`);
  const bootstrapSet = bootstrapVariablesSet(env);
  if (bootstrapSet !== 0 && bootstrapSet !== 3)
    problems.push('BOOTSTRAP_ADMIN_USERNAME, _EMAIL and _PASSWORD must be set together');
  const trust = parseTrustProxy(env.TRUST_PROXY ?? '');
  if (typeof trust === 'string') problems.push(trust);
  const queueSchedule = parseQueueSchedule(env.QUEUE_SCHEDULE ?? '');
  if (typeof queueSchedule === 'string') problems.push(queueSchedule);
  if (env.NODE_ENV === 'production') problems.push(...productionProblems(env));
  if (problems.length > 0 || typeof trust === 'string' || typeof queueSchedule === 'string') {
    throw new ConfigError(problems);
  }
  const config: Config = {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    ...serverConfig(env, trust, Boolean(process.stdout.isTTY)),
    ...storageConfig(env),
    ...identityConfig(env),
    ...clinicConfig(env),
    ...queueConfig(env, queueSchedule),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Test and CLI helper: the process environment with overrides (still validated). */
export function configFromEnv(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}

/**
 * The password for `diabetify create-admin`, taken from the environment once and then removed
 * from it (so child processes and crash dumps do not inherit it). Never accepted on argv.
 */
export function takeAdminPasswordFromEnv(): string | undefined {
  const value = process.env.DIABETIFY_ADMIN_PASSWORD;
  delete process.env.DIABETIFY_ADMIN_PASSWORD;
  return value || undefined;
}

/** Variables used by tests to point the suite at real servers; read here to keep rule 7. */
export const testEnv = {
  databaseUrl: process.env.TEST_DATABASE_URL || undefined,
  redisUrl: process.env.TEST_REDIS_URL || undefined,
};
