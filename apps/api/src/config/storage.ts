/**
 * The storage section: the database (embedded PGlite under DATA_DIR, or PostgreSQL by URL) and the
 * optional Redis.
 */
import path from 'node:path';
import { type Static, Type } from 'typebox';
import { Bool, bool } from './parse.js';

export const storageEnv = {
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  DB_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 100 }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ default: 500, minimum: 50 }),
  REDIS_KEY_PREFIX: Type.String({ default: 'diabetify:' }),
  // seed the demo clinic when a development server starts on an empty database (db/seed/demo.ts)
  DEMO_SEED_ON_FIRST_START: Type.Optional(Bool),
};
const StorageEnv = Type.Object(storageEnv);
type StorageEnv = Static<typeof StorageEnv>;

export interface StorageConfig {
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
  /** Seed the demo clinic on a first start; acts only in development, on an empty database. */
  readonly demoSeedOnFirstStart: boolean;
}

export function storageConfig(env: StorageEnv): StorageConfig {
  const dataDir = path.resolve(env.DATA_DIR);
  return {
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
    demoSeedOnFirstStart: bool(env.DEMO_SEED_ON_FIRST_START, true),
  };
}
