import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig } from './config/index.js';

/** Runs `loadConfig` and returns the ConfigError it throws (fails the test if it does not throw). */
function problemsOf(env: Record<string, string>): string[] {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return (caught as ConfigError).problems;
}

const ED25519_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHqQ1b9bE1y3Vh2n4mQm1kQ1Vh2n4mQm1kQ1Vh2n4mQm
-----END PRIVATE KEY-----`;

/** A production environment that passes every check; tests break one thing at a time. */
const goodProduction = {
  NODE_ENV: 'production',
  JWT_PRIVATE_KEY: ED25519_PEM,
  DATABASE_URL: 'postgres://diabetify:Xy7-long-unique-pw@db.internal:5432/diabetify',
  PUBLIC_WEB_ORIGIN: 'https://clinic.example',
  CORS_ORIGINS: 'https://admin.clinic.example',
  LOG_PRETTY: 'false',
  TOKEN_HMAC_SECRET: Buffer.alloc(32, 7).toString('base64'),
  MFA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
  SMTP_URL: 'smtp://mail.internal:587',
};

describe('config defaults', () => {
  it('an empty environment gives a development config on the embedded database', () => {
    const config = loadConfig({ LOG_PRETTY: 'false' });
    expect(config.env).toBe('development');
    expect(config.isProduction).toBe(false);
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 3000,
      bodyLimit: 1_048_576,
      requestTimeoutMs: 30_000,
      shutdownTimeoutMs: 10_000,
      trustProxy: false,
      corsOrigins: [],
      docsEnabled: true,
      metricsEnabled: true,
      publicWebOrigin: 'http://localhost:3000',
      adminDistDir: null,
    });
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.db).toEqual({ kind: 'pglite', dataDir: path.join(path.resolve('./data'), 'pglite') });
    expect(config.redis).toBeNull();
    expect(config.log).toEqual({ level: 'info', pretty: false });
    expect(config.rateLimit).toEqual({ max: 600, windowMs: 60_000 });
    expect(config.auth).toEqual({
      issuer: 'diabetify',
      privateKey: undefined,
      accessTokenTtlSeconds: 900,
      previousPublicKeys: undefined,
    });
    expect(config.clinic.timezone).toBe('America/Argentina/Buenos_Aires');
    expect(config.audit.chainShards).toBe(16);
    expect(config.bootstrapAdmin).toBeNull();
  });

  it('converts numbers and booleans and splits lists', () => {
    const config = loadConfig({
      PORT: '8080',
      METRICS_ENABLED: '0',
      DOCS_ENABLED: 'false',
      CORS_ORIGINS: ' https://a.example , https://b.example ,',
      TRUST_PROXY: '10.0.0.1, 10.0.0.0/8',
      DATABASE_URL: 'postgresql://u:p@h/db',
      DB_POOL_MAX: '3',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.http.port).toBe(8080);
    expect(config.http.metricsEnabled).toBe(false);
    expect(config.http.docsEnabled).toBe(false);
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.http.trustProxy).toEqual(['10.0.0.1', '10.0.0.0/8']);
    expect(config.db).toMatchObject({ kind: 'postgres', url: 'postgresql://u:p@h/db', poolMax: 3 });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: 500, keyPrefix: 'diabetify:' });
  });

  it('ACCESS_TOKEN_TTL_SECONDS defaults to 15 minutes and may only be set between 10 s and 15 minutes', () => {
    expect(loadConfig({}).auth.accessTokenTtlSeconds).toBe(900);
    expect(loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '30' }).auth.accessTokenTtlSeconds).toBe(30);
    expect(problemsOf({ ACCESS_TOKEN_TTL_SECONDS: '3600' })).toEqual([
      expect.stringMatching(/^ACCESS_TOKEN_TTL_SECONDS: .*<= 900/),
    ]);
    expect(problemsOf({ ACCESS_TOKEN_TTL_SECONDS: '5' })).toEqual([
      expect.stringMatching(/^ACCESS_TOKEN_TTL_SECONDS: .*>= 10/),
    ]);
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ PORT: '', DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: '', JWT_ISSUER: '' });
    expect(config.http.port).toBe(3000);
    expect(config.db.kind).toBe('pglite');
    expect(config.redis).toBeNull();
    expect(config.log.level).toBe('info');
    expect(config.auth.issuer).toBe('diabetify');
    // …also in production: an empty JWT_PRIVATE_KEY is a missing one.
    expect(problemsOf({ ...goodProduction, JWT_PRIVATE_KEY: '' })).toEqual([
      expect.stringMatching(/^JWT_PRIVATE_KEY is required/),
    ]);
  });

  it('is deeply frozen', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example' });
    const mutable = config as unknown as { http: { port: number; corsOrigins: string[] }; db: { kind: string } };
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(Object.isFrozen(config.http.corsOrigins)).toBe(true);
    expect(Object.isFrozen(config.db)).toBe(true);
    expect(Object.isFrozen(config.rateLimit)).toBe(true);
    expect(() => {
      mutable.http.port = 1;
    }).toThrow(TypeError);
    expect(() => mutable.http.corsOrigins.push('*')).toThrow(TypeError);
    expect(() => {
      (config as unknown as { db: Config['db'] | null }).db = null;
    }).toThrow(TypeError);
    expect(config.http.port).toBe(3000);
    expect(config.http.corsOrigins).toEqual(['https://a.example']);
  });
});

describe('invalid values', () => {
  it('lists every invalid variable, once each, naming allowed values', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      DB_POOL_MAX: '0',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'http://redis',
      METRICS_ENABLED: 'yes',
      BODY_LIMIT_BYTES: '10',
    });
    expect(problems).toHaveLength(7);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
        expect.stringMatching(/^DB_POOL_MAX: .*>= 1/),
        expect.stringMatching(/^DATABASE_URL: .*pattern/),
        expect.stringMatching(/^REDIS_URL: .*pattern/),
        'METRICS_ENABLED: must be one of true, false, 1, 0',
        expect.stringMatching(/^BODY_LIMIT_BYTES: .*>= 1024/),
      ]),
    );
  });

  it('rejects an unknown timezone and a half-configured bootstrap admin', () => {
    const problems = problemsOf({ CLINIC_TIMEZONE: 'Mars/Olympus', BOOTSTRAP_ADMIN_USERNAME: 'root' });
    expect(problems).toEqual([
      'CLINIC_TIMEZONE: unknown zone Mars/Olympus',
      'BOOTSTRAP_ADMIN_USERNAME, _EMAIL and _PASSWORD must be set together',
    ]);
  });

  it('the error message lists every problem', () => {
    expect(() => loadConfig({ PORT: '-1', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });
});

describe('production refuses unsafe deployments (CF-1, AU-8, DP-7, DP-8)', () => {
  it('accepts a complete, safe production environment', () => {
    const config = loadConfig(goodProduction);
    expect(config.isProduction).toBe(true);
    expect(config.db.kind).toBe('postgres');
    expect(config.http.publicWebOrigin).toBe('https://clinic.example');
  });

  it('reports every problem in one ConfigError', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      CORS_ORIGINS: 'https://admin.example,*',
      TRUST_PROXY: 'true',
      BOOTSTRAP_ADMIN_USERNAME: 'admin',
      BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'admin',
    });
    expect(problems).toEqual([
      'TRUST_PROXY must name proxy addresses or a hop count, not trust everyone',
      'JWT_PRIVATE_KEY is required in production (Ed25519 PEM or JWK)',
      'DATABASE_URL is required in production (the embedded database is for demos)',
      'PUBLIC_WEB_ORIGIN is required in production (links in e-mails)',
      'TOKEN_HMAC_SECRET is required in production (32 random bytes, base64)',
      'MFA_ENCRYPTION_KEY is required in production (32 random bytes, base64)',
      'SMTP_URL is required in production (password reset and notifications)',
      'CORS_ORIGINS must not contain a wildcard',
      'BOOTSTRAP_ADMIN_PASSWORD is a default or shorter than 12 characters',
      'the default admin/admin account is refused in production',
    ]);
  });

  it('TRUST_PROXY: empty trusts nobody, a hop count or addresses are kept, trust-everyone is refused in any mode', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).http.trustProxy).toEqual(['10.0.0.1', '10.1.0.0/16']);
    expect(problemsOf({ TRUST_PROXY: '*' })).toEqual([expect.stringMatching(/not trust everyone/)]);
    expect(problemsOf({ TRUST_PROXY: 'proxy.example' })).toEqual([expect.stringMatching(/not an address/)]);
  });

  it('reports malformed values and production problems in the same round', () => {
    const problems = problemsOf({ ...goodProduction, PORT: 'eighty', JWT_PRIVATE_KEY: '' });
    expect(problems).toEqual([expect.stringMatching(/^PORT: /), expect.stringMatching(/^JWT_PRIVATE_KEY is required/)]);
  });

  it.each([
    ['postgres', 'postgres://postgres:postgres@db/diabetify'],
    ['empty', 'postgres://diabetify@db/diabetify'],
    ['changeme (any case)', 'postgres://app:ChangeMe@db/diabetify'],
  ])('refuses a %s database password', (_name, url) => {
    expect(problemsOf({ ...goodProduction, DATABASE_URL: url })).toEqual([
      'DATABASE_URL uses an empty or default password',
    ]);
  });

  it.each([
    ['a wildcard', '*'],
    ['a wildcard subdomain', 'https://*.example.com'],
  ])('refuses %s in CORS_ORIGINS', (_name, origin) => {
    expect(problemsOf({ ...goodProduction, CORS_ORIGINS: `https://admin.example,${origin}` })).toEqual([
      'CORS_ORIGINS must not contain a wildcard',
    ]);
  });

  it("refuses the old back-office gateway's allow-every-origin CORS in production, not elsewhere", () => {
    expect(problemsOf({ ...goodProduction, LEGACY_BACKOFFICE_CORS_ORIGINS: '*' })).toEqual([
      'LEGACY_BACKOFFICE_CORS_ORIGINS must not contain a wildcard (the old gateway allowed every origin)',
    ]);
    const dev = loadConfig({ LEGACY_GATEWAY_PORT: '8000', LEGACY_BACKOFFICE_CORS_ORIGINS: '*' });
    expect(dev.legacy).toEqual({ gatewayPort: 8000, backofficePort: null, backofficeCorsOrigins: ['*'] });
  });

  it('refuses a toy JWT key and a weak bootstrap password', () => {
    expect(
      problemsOf({
        ...goodProduction,
        JWT_PRIVATE_KEY: 'short',
        BOOTSTRAP_ADMIN_USERNAME: 'alice',
        BOOTSTRAP_ADMIN_EMAIL: 'alice@example.com',
        BOOTSTRAP_ADMIN_PASSWORD: 'password',
      }),
    ).toEqual([
      'JWT_PRIVATE_KEY is too short to be a real Ed25519 key',
      'BOOTSTRAP_ADMIN_PASSWORD is a default or shorter than 12 characters',
    ]);
  });

  it('the same weak settings are allowed outside production', () => {
    const config = loadConfig({
      CORS_ORIGINS: '*',
      BOOTSTRAP_ADMIN_USERNAME: 'admin',
      BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'admin',
    });
    expect(config.bootstrapAdmin).toEqual({ username: 'admin', email: 'admin@example.com', password: 'admin' });
  });
});
