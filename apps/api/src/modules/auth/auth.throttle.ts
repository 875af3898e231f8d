/**
 * Per-identifier login throttling and lockout (security.md AU-6). Keyed by a keyed hash of the
 * normalised identifier — not the account — so unknown identifiers behave exactly like real ones
 * (no enumeration through 429s). After `maxFailures` failures inside the window the identifier
 * is locked; each further lock doubles (15, 30, 60 min with the defaults) so a persistent
 * attacker is slowed, but the lock is never permanent. A successful login resets everything.
 *
 * Redis when configured (one Lua script per failure: atomic, TTLs set in the same step — RL-4);
 * PostgreSQL otherwise (one upsert under the row lock). Both are safe under parallel attempts.
 */
import type { Redis } from 'ioredis';
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import * as repo from './auth.repository.js';

export interface ThrottleSettings {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** Lock durations double per consecutive lock, up to 2^MAX_LEVEL × lockMs. */
const MAX_LEVEL = 2;

export interface ThrottleState {
  /** Milliseconds until the identifier may try again; 0 when not locked. */
  lockedForMs: number;
  /** True when this very failure caused the lock (audit it once). */
  lockedNow: boolean;
}

export interface LoginThrottle {
  lockedForMs(key: string): Promise<number>;
  fail(key: string): Promise<ThrottleState>;
  reset(key: string): Promise<void>;
}

const FAIL_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n >= tonumber(ARGV[2]) then
  local level = tonumber(redis.call('GET', KEYS[3]) or '0')
  local ms = tonumber(ARGV[3]) * (2 ^ math.min(level, tonumber(ARGV[4])))
  redis.call('SET', KEYS[2], '1', 'PX', ms)
  redis.call('SET', KEYS[3], level + 1, 'PX', ms * 4)
  redis.call('DEL', KEYS[1])
  return ms
end
return 0
`;

export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly s: ThrottleSettings,
  ) {}
  private keys(key: string): [string, string, string] {
    const base = `${this.prefix}login:${key}`;
    return [`${base}:failures`, `${base}:lock`, `${base}:level`];
  }
  async lockedForMs(key: string): Promise<number> {
    const ttl = await this.redis.pttl(this.keys(key)[1]);
    return Math.max(ttl, 0);
  }
  async fail(key: string): Promise<ThrottleState> {
    const ms = Number(
      await this.redis.eval(
        FAIL_SCRIPT,
        3,
        ...this.keys(key),
        this.s.windowMs,
        this.s.maxFailures,
        this.s.lockMs,
        MAX_LEVEL,
      ),
    );
    return { lockedForMs: ms, lockedNow: ms > 0 };
  }
  async reset(key: string): Promise<void> {
    await this.redis.del(...this.keys(key));
  }
}

export class PostgresLoginThrottle implements LoginThrottle {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly s: ThrottleSettings,
  ) {}
  async lockedForMs(key: string): Promise<number> {
    const now = this.clock.now();
    const until = (await repo.throttleLockedUntil(this.db, key))?.getTime() ?? 0;
    return until > now.getTime() ? until - now.getTime() : 0;
  }
  fail(key: string): Promise<ThrottleState> {
    // One transaction: the row lock taken by the upsert is held until the lock is written.
    return withTransaction(this.db, (tx) => this.failIn(tx, key));
  }
  private async failIn(tx: Executor, key: string): Promise<ThrottleState> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.s.windowMs);
    // Count the failure (restarting an expired window), and when it reaches the limit, lock with
    // the doubled duration and start over. The upsert's row lock orders parallel attempts.
    const row = await repo.countThrottleFailure(tx, key, now, windowStart);
    if (!row || row.failures < this.s.maxFailures) return { lockedForMs: 0, lockedNow: false };
    const ms = this.s.lockMs * 2 ** Math.min(row.lockLevel, MAX_LEVEL);
    await repo.lockThrottle(tx, key, now, new Date(now.getTime() + ms));
    return { lockedForMs: ms, lockedNow: true };
  }
  async reset(key: string): Promise<void> {
    await repo.clearThrottle(this.db, key);
  }
}

export interface ThrottleStores {
  redis: Redis | null;
  /** Key prefix in Redis (`REDIS_KEY_PREFIX`). */
  prefix: string;
  db: Database;
  clock: Clock;
}

/** Redis when configured (shared by every instance), PostgreSQL otherwise. */
export function loginThrottle(stores: ThrottleStores, settings: ThrottleSettings): LoginThrottle {
  return stores.redis
    ? new RedisLoginThrottle(stores.redis, stores.prefix, settings)
    : new PostgresLoginThrottle(stores.db, stores.clock, settings);
}
