/**
 * The only place that reads `process.env` (architecture rule 7).
 *
 * The environment is validated against one TypeBox schema, then mapped onto a nested, frozen
 * `Config`. Production mode collects *every* problem before refusing to start, so an operator
 * fixes the deployment in one round instead of one variable per restart.
 */
import path from 'node:path';
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';

const Bool = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);

const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DB_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 100 }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ default: 500, minimum: 50 }),
  REDIS_KEY_PREFIX: Type.String({ default: 'diabetify:' }),
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
  // back-office build served at /admin/ (default: apps/admin/dist next to the server)
  ADMIN_DIST_DIR: Type.Optional(Type.String({ minLength: 1 })),
  // development only: seed the demo clinic when the server starts on an empty database
  DEMO_SEED_ON_FIRST_START: Type.Optional(Bool),
  JWT_ISSUER: Type.String({ default: 'diabetify', minLength: 1 }),
  JWT_PRIVATE_KEY: Type.Optional(Type.String()),
  JWT_PREVIOUS_PUBLIC_KEYS: Type.Optional(Type.String()),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ default: 900, minimum: 10, maximum: 900 }),
  PUBLIC_WEB_ORIGIN: Type.Optional(Type.String({ pattern: '^https?://' })),
  CLINIC_TIMEZONE: Type.String({ default: 'America/Argentina/Buenos_Aires' }),
  AUDIT_CHAIN_SHARDS: Type.Integer({ default: 16, minimum: 1, maximum: 256 }),
  // identity
  ALLOW_SELF_REGISTRATION: Type.Optional(Bool),
  REQUIRE_STAFF_MFA: Type.Optional(Bool),
  PASSWORD_MIN_LENGTH_PATIENT: Type.Integer({ default: 8, minimum: 8, maximum: 64 }),
  PASSWORD_MIN_LENGTH_STAFF: Type.Integer({ default: 12, minimum: 8, maximum: 64 }),
  SESSION_ABSOLUTE_DAYS: Type.Integer({ default: 30, minimum: 1, maximum: 365 }),
  SESSION_IDLE_DAYS: Type.Integer({ default: 7, minimum: 1, maximum: 90 }),
  LOGIN_MAX_PER_IP_PER_MIN: Type.Integer({ default: 100, minimum: 1 }),
  LOGIN_MAX_FAILURES: Type.Integer({ default: 10, minimum: 3, maximum: 100 }),
  LOGIN_FAILURE_WINDOW_MIN: Type.Integer({ default: 15, minimum: 1 }),
  LOCKOUT_MINUTES: Type.Integer({ default: 15, minimum: 1 }),
  TOKEN_HMAC_SECRET: Type.Optional(Type.String()),
  MFA_ENCRYPTION_KEY: Type.Optional(Type.String()),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ default: 'Diabetify <no-reply@diabetify.local>' }),
  BOOTSTRAP_ADMIN_USERNAME: Type.Optional(Type.String()),
  BOOTSTRAP_ADMIN_EMAIL: Type.Optional(Type.String()),
  BOOTSTRAP_ADMIN_PASSWORD: Type.Optional(Type.String()),
  // consultation queue
  QUEUE_SCHEDULE: Type.String({ default: '', maxLength: 1000 }),
  QUEUE_AUTO_RESET_AT: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })),
  QUEUE_SCHEDULER_INTERVAL_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 3600 }),
  // legacy gateways (modules/legacy): unset = off; 0 = any free port (tests)
  LEGACY_GATEWAY_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  LEGACY_BACKOFFICE_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  LEGACY_BACKOFFICE_CORS_ORIGINS: Type.String({ default: '' }),
});
type Env = Static<typeof EnvSchema>;

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly isProduction: boolean;
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
  readonly db:
    | { readonly kind: 'pglite'; readonly dataDir: string }
    | {
        readonly kind: 'postgres';
        readonly url: string;
        readonly poolMax: number;
        readonly connectTimeoutMs: number;
        readonly statementTimeoutMs: number;
      };
  readonly redis: { readonly url: string; readonly commandTimeoutMs: number; readonly keyPrefix: string } | null;
  readonly dataDir: string;
  readonly log: { readonly level: string; readonly pretty: boolean };
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  readonly auth: {
    readonly issuer: string;
    readonly privateKey: string | undefined;
    readonly previousPublicKeys: string | undefined;
    /** Access-token lifetime, seconds (≤ 900); shorter only for tests and the browser suite. */
    readonly accessTokenTtlSeconds: number;
  };
  readonly clinic: { readonly timezone: string };
  /** Development: seed the demo clinic on the first start on an empty database (never in production). */
  readonly demoSeedOnFirstStart: boolean;
  readonly audit: { readonly chainShards: number };
  readonly bootstrapAdmin: { readonly username: string; readonly email: string; readonly password: string } | null;
  readonly identity: {
    readonly allowSelfRegistration: boolean;
    readonly requireStaffMfa: boolean;
    readonly passwordMinLength: { readonly patient: number; readonly staff: number };
    readonly sessionAbsoluteMs: number;
    readonly sessionIdleMs: number;
    readonly loginMaxPerIpPerMinute: number;
    readonly loginMaxFailures: number;
    readonly loginFailureWindowMs: number;
    readonly lockoutMs: number;
    /** Secrets; in development they are generated into DATA_DIR/keys when unset. */
    readonly tokenHmacSecret: string | undefined;
    readonly mfaEncryptionKey: string | undefined;
  };
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string };
  readonly queue: {
    /** Opening hours in the clinic timezone; empty = no schedule (open/close by hand only). */
    readonly schedule: readonly QueueWindow[];
    /** `HH:MM` clinic time of the automatic day reset, or null. */
    readonly autoResetAt: string | null;
    readonly schedulerIntervalMs: number;
  };
  /** The old gateways' APIs on their own listeners (legacy-compat.md); null port = listener off. */
  readonly legacy: {
    readonly gatewayPort: number | null;
    readonly backofficePort: number | null;
    /** Exact origins allowed to call the back-office listener from a browser; `*` only outside production. */
    readonly backofficeCorsOrigins: readonly string[];
  };
}

/** One opening window of the queue: weekday 0 = Sunday … 6 = Saturday, times `HH:MM`, open < close. */
export interface QueueWindow {
  readonly weekday: number;
  readonly open: string;
  readonly close: string;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * QUEUE_SCHEDULE: `;`-separated entries `<days> <HH:MM>-<HH:MM>`, days a name (`mon`), a range
 * (`mon-fri`) or a list (`mon,wed,fri`). Example: `mon-fri 08:00-12:00; sat 09:00-11:00`.
 * Returns the windows, or a problem message.
 */
export function parseQueueSchedule(value: string): QueueWindow[] | string {
  const windows: QueueWindow[] = [];
  for (const entry of value.split(';').map((e) => e.trim().toLowerCase())) {
    if (entry === '') continue;
    const m = /^([a-z,-]+)\s+([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(entry);
    if (!m) return `QUEUE_SCHEDULE: cannot read "${entry}" (expected e.g. "mon-fri 08:00-12:00")`;
    const open = `${m[2]}:${m[3]}`;
    const close = `${m[4]}:${m[5]}`;
    if (open >= close) return `QUEUE_SCHEDULE: "${entry}" closes before it opens`;
    const days = new Set<number>();
    for (const part of (m[1] as string).split(',')) {
      const [from = '', to = from] = part.split('-');
      const a = WEEKDAYS.indexOf(from);
      const b = WEEKDAYS.indexOf(to);
      if (a < 0 || b < 0 || part.split('-').length > 2) return `QUEUE_SCHEDULE: unknown day in "${entry}"`;
      for (let d = a; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === b) break;
      }
    }
    for (const weekday of days) windows.push({ weekday, open, close });
  }
  return windows;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_PASSWORDS = new Set([
  'admin',
  'password',
  'postgres',
  'changeme',
  'secret',
  'root',
  '123456',
  'diabetify',
]);

const DAY_MS = 86_400_000;

function bool(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value === 'true' || value === '1';
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * TRUST_PROXY: empty = trust nobody; a hop count (`1`); or proxy addresses/CIDRs. "Trust
 * everyone" is refused in every mode: it lets any client choose its rate-limit key (RL-2).
 */
function parseTrustProxy(value: string): false | number | string[] | string {
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

function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Problems that make a production deployment unsafe; all are reported together. */
function productionProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!env.JWT_PRIVATE_KEY) problems.push('JWT_PRIVATE_KEY is required in production (Ed25519 PEM or JWK)');
  else if (env.JWT_PRIVATE_KEY.length < 64) problems.push('JWT_PRIVATE_KEY is too short to be a real Ed25519 key');
  if (!env.DATABASE_URL) problems.push('DATABASE_URL is required in production (the embedded database is for demos)');
  else {
    try {
      const password = decodeURIComponent(new URL(env.DATABASE_URL).password);
      if (password === '' || DEFAULT_PASSWORDS.has(password.toLowerCase()))
        problems.push('DATABASE_URL uses an empty or default password');
    } catch {
      problems.push('DATABASE_URL is not a valid URL');
    }
  }
  if (!env.PUBLIC_WEB_ORIGIN) problems.push('PUBLIC_WEB_ORIGIN is required in production (links in e-mails)');
  for (const name of ['TOKEN_HMAC_SECRET', 'MFA_ENCRYPTION_KEY'] as const) {
    const value = env[name];
    if (!value) problems.push(`${name} is required in production (32 random bytes, base64)`);
    else if (Buffer.from(value, 'base64').length < 32)
      problems.push(`${name} must decode to at least 32 bytes (base64)`);
  }
  if (!env.SMTP_URL) problems.push('SMTP_URL is required in production (password reset and notifications)');
  const origins = list(env.CORS_ORIGINS);
  if (origins.some((o) => o === '*' || o.includes('*'))) problems.push('CORS_ORIGINS must not contain a wildcard');
  if (list(env.LEGACY_BACKOFFICE_CORS_ORIGINS).some((o) => o.includes('*')))
    problems.push('LEGACY_BACKOFFICE_CORS_ORIGINS must not contain a wildcard (the old gateway allowed every origin)');
  const admin = env.BOOTSTRAP_ADMIN_PASSWORD;
  if (admin !== undefined && (admin.length < 12 || DEFAULT_PASSWORDS.has(admin.toLowerCase())))
    problems.push('BOOTSTRAP_ADMIN_PASSWORD is a default or shorter than 12 characters');
  if (env.BOOTSTRAP_ADMIN_USERNAME?.toLowerCase() === 'admin' && admin?.toLowerCase() === 'admin')
    problems.push('the default admin/admin account is refused in production');
  return problems;
}

/**
 * One line per invalid variable; a union of literals names the allowed values. Each variable is
 * checked on its own: TypeBox stops collecting errors after a few (a failed union alone yields one
 * per member), which would silently hide the remaining invalid variables.
 */
function schemaProblems(env: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(EnvSchema.properties) as [string, TSchema][]) {
    const value = env[key];
    if (value === undefined || Value.Check(schema, value)) continue;
    const options = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
    const allowed = options?.every((o) => o.const !== undefined) ? options.map((o) => String(o.const)) : undefined;
    const message = allowed ? `must be one of ${allowed.join(', ')}` : Value.Errors(schema, value)[0]?.message;
    problems.push(`${key}: ${message ?? 'is invalid'}`);
  }
  return problems;
}

/**
 * Validate the environment and build the frozen config. Throws `ConfigError` listing every problem.
 * Empty strings are treated as unset so `.env` files can leave a line blank.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const v = source[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  const problems: string[] = [];
  if (!Value.Check(EnvSchema, withDefaults)) problems.push(...schemaProblems(withDefaults as Record<string, unknown>));
  // Keep going: production problems are reported in the same round as malformed values.
  const env = withDefaults as Env;
  if (!isValidTimezone(env.CLINIC_TIMEZONE)) problems.push(`CLINIC_TIMEZONE: unknown zone ${env.CLINIC_TIMEZONE}`);
  const bootstrapKeys = [env.BOOTSTRAP_ADMIN_USERNAME, env.BOOTSTRAP_ADMIN_EMAIL, env.BOOTSTRAP_ADMIN_PASSWORD];
  const bootstrapSet = bootstrapKeys.filter((v) => v !== undefined).length;
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

  const dataDir = path.resolve(env.DATA_DIR);
  const config: Config = {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimit: env.BODY_LIMIT_BYTES,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      trustProxy: trust,
      corsOrigins: list(env.CORS_ORIGINS),
      docsEnabled: bool(env.DOCS_ENABLED, true),
      metricsEnabled: bool(env.METRICS_ENABLED, true),
      publicWebOrigin: env.PUBLIC_WEB_ORIGIN ?? `http://localhost:${env.PORT}`,
      adminDistDir: env.ADMIN_DIST_DIR ? path.resolve(env.ADMIN_DIST_DIR) : null,
    },
    db: env.DATABASE_URL
      ? {
          kind: 'postgres',
          url: env.DATABASE_URL,
          poolMax: env.DB_POOL_MAX,
          connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
        }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    redis: env.REDIS_URL
      ? { url: env.REDIS_URL, commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS, keyPrefix: env.REDIS_KEY_PREFIX }
      : null,
    dataDir,
    log: { level: env.LOG_LEVEL, pretty: bool(env.LOG_PRETTY, Boolean(process.stdout.isTTY)) },
    rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS },
    auth: {
      issuer: env.JWT_ISSUER,
      privateKey: env.JWT_PRIVATE_KEY,
      previousPublicKeys: env.JWT_PREVIOUS_PUBLIC_KEYS,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    },
    clinic: { timezone: env.CLINIC_TIMEZONE },
    demoSeedOnFirstStart: env.NODE_ENV === 'development' && bool(env.DEMO_SEED_ON_FIRST_START, true),
    audit: { chainShards: env.AUDIT_CHAIN_SHARDS },
    identity: {
      allowSelfRegistration: bool(env.ALLOW_SELF_REGISTRATION, false),
      requireStaffMfa: bool(env.REQUIRE_STAFF_MFA, false),
      passwordMinLength: { patient: env.PASSWORD_MIN_LENGTH_PATIENT, staff: env.PASSWORD_MIN_LENGTH_STAFF },
      sessionAbsoluteMs: env.SESSION_ABSOLUTE_DAYS * DAY_MS,
      sessionIdleMs: env.SESSION_IDLE_DAYS * DAY_MS,
      loginMaxPerIpPerMinute: env.LOGIN_MAX_PER_IP_PER_MIN,
      loginMaxFailures: env.LOGIN_MAX_FAILURES,
      loginFailureWindowMs: env.LOGIN_FAILURE_WINDOW_MIN * 60_000,
      lockoutMs: env.LOCKOUT_MINUTES * 60_000,
      tokenHmacSecret: env.TOKEN_HMAC_SECRET,
      mfaEncryptionKey: env.MFA_ENCRYPTION_KEY,
    },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    queue: {
      schedule: queueSchedule,
      autoResetAt: env.QUEUE_AUTO_RESET_AT ?? null,
      schedulerIntervalMs: env.QUEUE_SCHEDULER_INTERVAL_SECONDS * 1000,
    },
    legacy: {
      gatewayPort: env.LEGACY_GATEWAY_PORT ?? null,
      backofficePort: env.LEGACY_BACKOFFICE_PORT ?? null,
      backofficeCorsOrigins: list(env.LEGACY_BACKOFFICE_CORS_ORIGINS),
    },
    bootstrapAdmin:
      bootstrapSet === 3
        ? {
            username: env.BOOTSTRAP_ADMIN_USERNAME as string,
            email: env.BOOTSTRAP_ADMIN_EMAIL as string,
            password: env.BOOTSTRAP_ADMIN_PASSWORD as string,
          }
        : null,
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
