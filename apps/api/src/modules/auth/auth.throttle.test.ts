import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildTestApp, usingRedis } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { PostgresLoginThrottle } from './auth.throttle.js';

const clock = new ManualClock('2026-05-04T10:00:00.000Z');

const api = useTestApp({ clock, env: { LOGIN_MAX_FAILURES: '5', LOCKOUT_MINUTES: '15' } });

const login = (identifier: string, password: string, ip = '10.0.0.1') =>
  api.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password }, remoteAddress: ip });

describe(`login lockout (${usingRedis ? 'Redis' : 'PostgreSQL'} store)`, () => {
  it('locks an identifier after N failures with 429 + Retry-After, even for the right password, then lets it in after the lock', async () => {
    const p = await createPatient(api.db.db);
    for (let i = 0; i < 4; i++) expect((await login(p.dni, 'wrong-password')).statusCode).toBe(401);
    const fifth = await login(p.dni, 'wrong-password');
    expect(fifth.statusCode).toBe(401);
    const locked = await login(p.dni, p.password);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('login_locked');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    const lockouts = await api.db.db.select().from(auditEvents).where(eq(auditEvents.action, 'auth.lockout'));
    expect(lockouts.length).toBeGreaterThanOrEqual(1);
    if (!usingRedis) {
      // The PostgreSQL store follows the injectable clock; Redis keys expire in real time.
      clock.advance(15 * 60_000 + 1000);
      expect((await login(p.dni, p.password)).statusCode).toBe(200);
    }
  });

  it('an unknown identifier is throttled exactly like a real one (no enumeration through 429)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await login('nobody.at.all@patients.example', 'x-wrong-pass')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('a successful login resets the failure count', async () => {
    const p = await createPatient(api.db.db);
    for (let i = 0; i < 4; i++) await login(p.dni, 'wrong-password');
    expect((await login(p.dni, p.password)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(p.dni, 'wrong-password')).statusCode).toBe(401);
    expect((await login(p.dni, p.password)).statusCode).toBe(200);
  });

  it('parallel failures are all counted (no lost updates)', async () => {
    const p = await createPatient(api.db.db);
    await Promise.all(Array.from({ length: 5 }, () => login(p.dni, 'wrong-password')));
    expect((await login(p.dni, p.password)).statusCode).toBe(429);
  });
});

describe('PostgreSQL throttle backoff', () => {
  it('doubles each consecutive lock and caps it', async () => {
    const throttle = new PostgresLoginThrottle(api.db.db, clock, { maxFailures: 2, windowMs: 60_000, lockMs: 1000 });
    const locks: number[] = [];
    for (let round = 0; round < 4; round++) {
      await throttle.fail('k');
      const state = await throttle.fail('k');
      locks.push(state.lockedForMs);
      clock.advance(state.lockedForMs + 1);
    }
    expect(locks).toEqual([1000, 2000, 4000, 4000]);
    await throttle.reset('k');
    expect(await throttle.lockedForMs('k')).toBe(0);
  });
});

describe('per-IP login limit', () => {
  it('answers 429 past the per-IP budget, while another address still gets through', async () => {
    const limited = await buildTestApp({ db: api.db, env: { LOGIN_MAX_PER_IP_PER_MIN: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { identifier: `someone${i}`, password: 'whatever-pass' },
          remoteAddress: '10.9.9.9',
        });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
      const other = await limited.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { identifier: 'someone', password: 'whatever-pass' },
        remoteAddress: '10.9.9.10',
      });
      expect(other.statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
