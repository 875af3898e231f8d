/**
 * The queue day: the day reset (an admin's, or the automatic one) and the scheduler's step that
 * applies the opening hours. Both decide under the queue row lock, so on several instances each
 * boundary applies once (README.md, "Day reset and the schedule").
 */
import type { Config } from '../../config/index.js';
import type { Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import * as repo from './appointments.queue.repository.js';
import { latestBoundary, latestDailyKey } from './appointments.schedule.js';
import { moverOf, type WorkflowDeps } from './appointments.workflow.js';

/** What the queue needs beyond a transition's dependencies: the clinic's hours and zone. */
export interface QueueDeps extends WorkflowDeps {
  timezone: string;
  queue: Config['queue'];
}

export interface QueueDayDeps extends QueueDeps {
  /** A reset or an opening may free capacity or reopen the queue (drops the submit verdict). */
  onCapacityChange(): void;
}

export const SYSTEM_ORIGIN: AuditOrigin = { actor: { id: null, role: 'system' } };

export class QueueDay {
  constructor(private readonly d: QueueDayDeps) {}

  /**
   * Ends the queue day (admin, or the automatic reset): active requests close, denied and resolved
   * ones are released, placements restart at 0. Appointments and resolutions are kept.
   */
  async reset(origin: AuditOrigin, source: 'manual' | 'automatic' = 'manual') {
    const result = await withTransaction(this.d.db, async (tx) => {
      const settings = await repo.lockSettings(tx);
      return this.resetLocked(tx, settings, origin, source);
    });
    this.d.onCapacityChange();
    return result;
  }

  private async resetLocked(
    tx: Executor,
    settings: repo.SettingsRow,
    origin: AuditOrigin,
    source: 'manual' | 'automatic',
    extra: Partial<repo.SettingsRow> = {},
  ) {
    const now = this.d.clock.now();
    const { closed, released } = await repo.closeDay(tx, now);
    const mover = moverOf(origin);
    await repo.insertTransitions(
      tx,
      closed.map((r) => ({
        requestId: r.id,
        fromState: r.state,
        toState: 'closed',
        actorRole: mover.role,
        actorStaffId: mover.staffId,
        reason: source === 'automatic' ? 'automatic day reset' : 'day reset',
        createdAt: now,
        updatedAt: now,
      })),
    );
    const day = settings.day + 1;
    await repo.updateSettings(tx, { ...extra, day, dayStartedAt: now, nextPlacement: 0, updatedAt: now });
    await this.d.audit.record(tx, {
      ...origin,
      action: 'queue.reset',
      resourceType: 'queue',
      resourceId: 1,
      outcome: 'success',
      details: { source, endedDay: settings.day, closed: closed.length, released, requestIds: closed.map((r) => r.id) },
    });
    await this.d.events.publishAfterCommit(tx, 'queue', 'reset', { day });
    for (const r of closed) {
      await this.d.events.publishAfterCommit(tx, 'queue', 'request_closed', {
        requestId: r.id,
        patientId: r.patientId,
      });
    }
    return { day, closed: closed.length, released };
  }

  /**
   * One scheduler step: applies the latest opening/closing boundary and the automatic reset if
   * they have not been applied yet. Safe to run on every instance: the decision is taken again
   * under the queue row lock, so each boundary applies once.
   */
  async tick(): Promise<{ reset: boolean; scheduled: boolean | null }> {
    const now = this.d.clock.now();
    const boundary = latestBoundary(this.d.queue.schedule, now, this.d.timezone);
    const resetKey = this.d.queue.autoResetAt ? latestDailyKey(this.d.queue.autoResetAt, now, this.d.timezone) : null;
    const peek = await repo.readSettings(this.d.db);
    const wantsBoundary = boundary !== null && (peek.scheduleKey === null || boundary.key > peek.scheduleKey);
    const wantsReset = resetKey !== null && (peek.autoResetKey === null || resetKey > peek.autoResetKey);
    if (!wantsBoundary && !wantsReset) return { reset: false, scheduled: null };

    const result = await withTransaction(this.d.db, async (tx) => {
      let s = await repo.lockSettings(tx);
      let reset = false;
      let scheduled: boolean | null = null;
      if (resetKey !== null && (s.autoResetKey === null || resetKey > s.autoResetKey)) {
        // The first run only records the boundary: turning the feature on must not end a day early.
        if (s.autoResetKey === null) s = await repo.updateSettings(tx, { autoResetKey: resetKey });
        else {
          await this.resetLocked(tx, s, SYSTEM_ORIGIN, 'automatic', { autoResetKey: resetKey });
          s = await repo.lockSettings(tx);
          reset = true;
        }
      }
      if (boundary && (s.scheduleKey === null || boundary.key > s.scheduleKey)) {
        await repo.updateSettings(tx, { open: boundary.open, scheduleKey: boundary.key, updatedAt: now });
        await this.d.audit.record(tx, {
          ...SYSTEM_ORIGIN,
          action: 'queue.update',
          resourceType: 'queue',
          resourceId: 1,
          outcome: 'success',
          details: {
            source: 'schedule',
            changed: s.open === boundary.open ? [] : ['open'],
            open: { from: s.open, to: boundary.open },
          },
        });
        if (s.open !== boundary.open) await this.d.events.publishAfterCommit(tx, 'queue', 'updated', { queue: 1 });
        scheduled = boundary.open;
      }
      return { reset, scheduled };
    });
    this.d.onCapacityChange();
    return result;
  }
}
