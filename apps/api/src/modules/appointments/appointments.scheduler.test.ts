/**
 * Opening hours and the automatic day reset (QUEUE_SCHEDULE, QUEUE_AUTO_RESET_AT), driven by a
 * manual clock. Boundaries apply once each (a manual change between two boundaries stands), and
 * two instances ticking at once apply a boundary once.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { patientToken, staffToken } from '../../../test/access-matrix/consultations.js';
import { buildTestApp } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, queueRequests } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { queueService } from './index.js';

const env = {
  CLINIC_TIMEZONE: 'America/Argentina/Buenos_Aires',
  QUEUE_SCHEDULE: 'mon-fri 08:00-12:00',
  QUEUE_AUTO_RESET_AT: '23:30',
  // Only the start-up step runs by itself; the test steps the scheduler.
  QUEUE_SCHEDULER_INTERVAL_SECONDS: '3600',
};
// Thursday 2026-01-15, 07:00 in Buenos Aires (UTC−3).
const clock = new ManualClock('2026-01-15T10:00:00.000Z');

const api = useTestApp({ clock, env });

const at = (local: string) => clock.set(new Date(`${local}-03:00`));
const status = async () =>
  (await api.app.inject({ url: '/v1/queue', headers: await staffToken(api.app, api.db, 'admin') })).json();
const tick = () => queueService(api.app).tick();

describe('queue schedule', () => {
  it('applies the latest boundary at start-up, then each opening and closing once', async () => {
    await tick();
    expect(await status()).toMatchObject({
      open: false,
      schedule: { configured: true, withinHours: false, autoResetAt: '23:30' },
    });
    const [row] = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'queue.update'), eq(auditEvents.actorRole, 'system')));
    expect(row?.details).toMatchObject({ source: 'schedule', open: { from: true, to: false } });

    // An assistant opens early: no boundary has passed, so the scheduler leaves it open.
    at('2026-01-15T07:10:00');
    await api.app.inject({
      method: 'PATCH',
      url: '/v1/queue',
      headers: await staffToken(api.app, api.db, 'assistant'),
      payload: { open: true },
    });
    expect(await tick()).toEqual({ reset: false, scheduled: null });
    expect((await status()).open).toBe(true);

    at('2026-01-15T12:00:00');
    expect(await tick()).toEqual({ reset: false, scheduled: false });
    const p = (await createPatient(api.db.db, { password: null })).id;
    const refused = await api.app.inject({
      method: 'POST',
      url: '/v1/queue/requests',
      headers: await patientToken(api.app, p),
    });
    expect(refused.json().code).toBe('queue_closed');

    at('2026-01-16T08:00:00');
    expect(await tick()).toEqual({ reset: true, scheduled: true });
    expect(await status()).toMatchObject({ open: true, schedule: { withinHours: true } });
    const ok = await api.app.inject({
      method: 'POST',
      url: '/v1/queue/requests',
      headers: await patientToken(api.app, p),
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('resets the day at the configured time, once, as the system', async () => {
    const before = await status();
    const [pending] = await api.db.db.select().from(queueRequests).where(eq(queueRequests.state, 'pending'));
    expect(pending).toBeDefined();

    at('2026-01-16T23:29:00');
    expect((await tick()).reset).toBe(false);
    at('2026-01-16T23:31:00');
    expect((await tick()).reset).toBe(true);
    expect((await tick()).reset).toBe(false);
    expect(await status()).toMatchObject({ day: before.day + 1, active: 0 });
    const [closed] = await api.db.db
      .select()
      .from(queueRequests)
      .where(eq(queueRequests.id, pending?.id ?? 0));
    expect(closed?.state).toBe('closed');
    const resets = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'queue.reset'), eq(auditEvents.actorRole, 'system')));
    expect(resets.at(-1)?.details).toMatchObject({ source: 'automatic', closed: 1 });
  });

  it('two instances stepping at the same boundary apply it once', async () => {
    const other = await buildTestApp({ db: api.db, clock, env });
    try {
      const day = (await status()).day;
      at('2026-01-17T23:45:00');
      const results = await Promise.all([tick(), queueService(other).tick(), tick()]);
      expect(results.filter((r) => r.reset)).toHaveLength(1);
      expect((await status()).day).toBe(day + 1);
    } finally {
      await other.close();
    }
  });
});
