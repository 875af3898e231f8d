import { describe, expect, it } from 'vitest';
import { bearer } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { ManualClock } from '../../lib/clock.js';

const DAY = 86_400_000;
const clock = new ManualClock('2026-02-01T08:00:00.000Z');

const api = useTestApp({ clock, env: { SESSION_ABSOLUTE_DAYS: '30', SESSION_IDLE_DAYS: '7' } });

async function signIn() {
  const p = await createPatient(api.db.db);
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { identifier: p.dni, password: p.password },
  });
  return res.json() as { accessToken: string; refreshToken: string };
}
const refresh = (refreshToken: string) =>
  api.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

describe('session lifetimes (RT-6)', () => {
  it('two concurrent refreshes with the same token get the same single successor (RT-4)', async () => {
    const t = await signIn();
    const [a, b] = await Promise.all([refresh(t.refreshToken), refresh(t.refreshToken)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json().refreshToken).toBe(b.json().refreshToken);
    // The successor is live; nothing else is.
    expect((await refresh(a.json().refreshToken)).statusCode).toBe(200);
  });

  it('an access token expires after 15 minutes (30 s of skew tolerated)', async () => {
    const t = await signIn();
    clock.advance(15 * 60_000 + 10_000);
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(t.accessToken) })).statusCode).toBe(200);
    clock.advance(60_000);
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(t.accessToken) })).statusCode).toBe(401);
  });

  it('a family unused for longer than the idle timeout cannot be refreshed', async () => {
    const t = await signIn();
    clock.advance(7 * DAY + 60_000);
    expect((await refresh(t.refreshToken)).statusCode).toBe(401);
  });

  it('a family refreshed regularly still ends at its absolute lifetime', async () => {
    let t = await signIn();
    for (let day = 6; day < 30; day += 6) {
      clock.advance(6 * DAY);
      const next = await refresh(t.refreshToken);
      expect(next.statusCode, `day ${day}`).toBe(200);
      t = next.json();
    }
    clock.advance(6 * DAY);
    const late = await refresh(t.refreshToken);
    expect(late.statusCode).toBe(401);
    expect(late.json().code).toBe('invalid_grant');
  });
});
