/**
 * The consultation queue: settings, the submit (capacity counted under the queue row lock,
 * README.md explains why), the patient's own status, the day reset and the scheduler's
 * boundaries. Each change commits with its audit and history rows; events leave after the commit.
 * Decisions, cancels and reads of requests are in appointments.requests.service.ts.
 */
import type { Config } from '../../config/index.js';
import type { Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { Actor } from '../../lib/authorization.js';
import { AppError } from '../../lib/errors.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import {
  isCurrentRequestConflict,
  QueueClosedError,
  QueueFullError,
  RequestActiveError,
} from './appointments.errors.js';
import * as repo from './appointments.queue.repository.js';
import type { MyQueue, QueuePatch, QueueStatus, SubmitBody } from './appointments.queue.schema.js';
import { latestBoundary, latestDailyKey, withinSchedule } from './appointments.schedule.js';
import type { RequestState } from './appointments.states.js';
import { checkMotive, moverOf, type WorkflowDeps } from './appointments.workflow.js';

export interface QueueDeps extends WorkflowDeps {
  timezone: string;
  queue: Config['queue'];
}

/** How long a "queue full/closed" answer is reused by this instance (see `precheck`). */
const VERDICT_MS = 250;

export const SYSTEM_ORIGIN: AuditOrigin = { actor: { id: null, role: 'system' } };

export class QueueService {
  /** Tail of this instance's submit line (see `inLine`). */
  private line: Promise<void> = Promise.resolve();

  constructor(private readonly d: QueueDeps) {}

  /**
   * Runs `work` after every submit queued before it on this instance. The database row lock is
   * what serialises submits across instances; this line keeps the requests waiting for it from
   * each pinning a pooled connection meanwhile (a burst of 1,000 would otherwise exhaust the pool
   * and time out with 503s). It has no timeout of its own: a request waits its turn.
   */
  private async inLine<T>(work: () => Promise<T>): Promise<T> {
    const before = this.line;
    let done!: () => void;
    this.line = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      await before;
      return await work();
    } finally {
      done();
    }
  }

  /**
   * A recent "closed" or "full" answer, reused for at most VERDICT_MS (or until a queue event says
   * the capacity or the flag may have changed). It only ever refuses early: admission always
   * goes through the locked check. Without it, each request of a 1,000-strong burst against a
   * full queue would make its own round trip in line.
   */
  private verdict: { error: 'closed' | 'full'; until: number } | null = null;

  /** Forget the cached verdict: called on queue events (decisions, cancels, resets, settings). */
  capacityMayHaveChanged(): void {
    this.verdict = null;
  }

  private refuseIfKnown(): void {
    const cached = this.verdict;
    if (cached && performance.now() < cached.until) {
      throw cached.error === 'closed' ? new QueueClosedError() : new QueueFullError();
    }
  }

  /** Keeps a "closed"/"full" refusal for the next submits (see `verdict`). */
  private remember(err: unknown): void {
    const error = err instanceof QueueClosedError ? 'closed' : err instanceof QueueFullError ? 'full' : null;
    if (error) this.verdict = { error, until: performance.now() + VERDICT_MS };
  }

  /** The unlocked one-query check: most refusals of a burst end here, before the line. */
  private async precheck(patientId: number): Promise<void> {
    if (this.verdict && performance.now() < this.verdict.until) {
      // The cached verdict describes the queue, not the patient: one who already holds a request
      // must hear request_active whatever the timing (the legacy app's "already exists" text
      // depends on it). One indexed lookup instead of the full precheck.
      const current = await repo.findCurrent(this.d.db, patientId);
      if (current) throw new RequestActiveError(current.state as RequestState);
      this.refuseIfKnown();
    }
    const pre = await repo.submitPrecheck(this.d.db, patientId);
    if (pre.current) throw new RequestActiveError(pre.current);
    if (!pre.open) throw new QueueClosedError();
    if (pre.active >= pre.capacity) throw new QueueFullError();
  }

  async status(): Promise<QueueStatus> {
    const [s, c] = await Promise.all([repo.readSettings(this.d.db), repo.counts(this.d.db)]);
    const configured = this.d.queue.schedule.length > 0;
    return {
      open: s.open,
      capacity: s.capacity,
      active: c.active,
      pending: c.pending,
      day: s.day,
      dayStartedAt: s.dayStartedAt.toISOString(),
      schedule: {
        configured,
        withinHours: configured ? withinSchedule(this.d.queue.schedule, this.d.clock.now(), this.d.timezone) : null,
        autoResetAt: this.d.queue.autoResetAt,
        timezone: this.d.timezone,
      },
    };
  }

  /** Open/close and capacity (assistants, admins). Values are not PHI: the audit keeps them. */
  async update(actor: Actor, origin: AuditOrigin, patch: QueuePatch): Promise<QueueStatus> {
    await withTransaction(this.d.db, async (tx) => {
      const before = await repo.lockSettings(tx);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (patch.open !== undefined && patch.open !== before.open) changes.open = { from: before.open, to: patch.open };
      if (patch.capacity !== undefined && patch.capacity !== before.capacity) {
        changes.capacity = { from: before.capacity, to: patch.capacity };
      }
      if (Object.keys(changes).length > 0) {
        await repo.updateSettings(tx, {
          ...(patch.open === undefined ? {} : { open: patch.open }),
          ...(patch.capacity === undefined ? {} : { capacity: patch.capacity }),
          updatedByStaffId: actor.kind === 'staff' ? actor.id : null,
          updatedAt: this.d.clock.now(),
        });
      }
      await this.d.audit.record(tx, {
        ...origin,
        action: 'queue.update',
        resourceType: 'queue',
        resourceId: 1,
        outcome: 'success',
        details: { source: 'manual', changed: Object.keys(changes), ...changes },
      });
      if (Object.keys(changes).length > 0) await this.d.events.publishAfterCommit(tx, 'queue', 'updated', { queue: 1 });
    });
    this.capacityMayHaveChanged();
    return this.status();
  }

  /**
   * A patient asks for a consultation. Under the queue row lock: one current request per patient,
   * an open queue, fewer active requests than the capacity; then the next placement of the day.
   */
  async submit(actor: Actor, origin: AuditOrigin, body: SubmitBody) {
    checkMotive(body.motive, body.otherMotive);
    const patientId = actor.id;
    try {
      // Cheap refusals first, without any lock: a storm against a full queue must not wait in
      // line. In line, a refusal the previous submits just met is reused; otherwise the locked
      // check decides (it is the guarantee: other instances submit too).
      await this.precheck(patientId);
      return await this.inLine(async () => {
        this.refuseIfKnown();
        return this.insertLocked(origin, patientId, body);
      });
    } catch (err) {
      this.remember(err);
      // Two submits of one patient raced past the checks: the partial unique index decides.
      const refusal = isCurrentRequestConflict(err) ? new RequestActiveError() : err;
      // "Full" and "closed" describe the queue, not the patient, and change nothing: they are not
      // audited one by one (a burst of 1,000 would be 1,000 audit transactions competing with
      // the admissions); the access log keeps each 409 with its request id.
      if (refusal instanceof AppError && !(refusal instanceof QueueFullError || refusal instanceof QueueClosedError)) {
        await this.d.audit.record(this.d.db, {
          ...origin,
          action: 'queue.requests.submit',
          resourceType: 'queue_request',
          patientId,
          outcome: 'failure',
          details: { reason: refusal.code },
        });
      }
      throw refusal;
    }
  }

  private insertLocked(origin: AuditOrigin, patientId: number, body: SubmitBody) {
    return withTransaction(this.d.db, async (tx) => {
      const now = this.d.clock.now();
      const s = await repo.lockSettings(tx);
      // Under the lock, this read is the truth: nobody else can admit a request meanwhile.
      const pre = await repo.submitPrecheck(tx, patientId);
      if (pre.current) throw new RequestActiveError(pre.current);
      if (!s.open) throw new QueueClosedError();
      if (pre.active >= s.capacity) throw new QueueFullError();
      const row = await repo.insertRequest(tx, {
        patientId,
        state: 'pending',
        queueDay: s.day,
        placement: s.nextPlacement,
        motive: body.motive ?? [],
        otherMotive: body.otherMotive ?? null,
        note: body.note ?? null,
        createdAt: now,
        updatedAt: now,
      });
      await repo.updateSettings(tx, { nextPlacement: s.nextPlacement + 1 });
      const mover = moverOf(origin);
      await repo.insertTransitions(tx, [
        {
          requestId: row.id,
          fromState: null,
          toState: 'pending',
          actorRole: mover.role,
          actorPatientId: patientId,
          createdAt: now,
          updatedAt: now,
        },
      ]);
      // The newest placement of the day: every pending request is ahead of it.
      const position = pre.pending;
      await this.d.audit.record(tx, {
        ...origin,
        action: 'queue.requests.submit',
        resourceType: 'queue_request',
        resourceId: row.id,
        patientId,
        outcome: 'success',
        details: { day: s.day, placement: row.placement, motiveCount: row.motive.length, noteGiven: row.note !== null },
      });
      await this.d.events.publishAfterCommit(tx, 'queue', 'request_submitted', { requestId: row.id, patientId });
      return { id: row.id, state: 'pending' as const, placement: row.placement, position };
    });
  }

  /** The patient's own queue status (`state: none` without a current request). Not audited: polled. */
  async mine(actor: Actor): Promise<MyQueue> {
    const [current, settings] = await Promise.all([
      repo.findCurrent(this.d.db, actor.id),
      repo.readSettings(this.d.db),
    ]);
    if (!current) {
      return {
        state: 'none',
        position: null,
        placement: null,
        requestId: null,
        appointmentId: null,
        queueOpen: settings.open,
      };
    }
    const pending = current.state === 'pending';
    return {
      state: current.state as RequestState,
      position: pending ? await repo.positionOf(this.d.db, current.queueDay, current.placement) : null,
      placement: pending ? current.placement : null,
      requestId: current.id,
      appointmentId: await repo.appointmentIdOfRequest(this.d.db, current.id),
      queueOpen: settings.open,
    };
  }

  /**
   * The patient's current request, only its state and placement (the legacy app polls
   * `/appointments/state` and `/appointments/placement`; `mine` would also compute the position).
   * Not audited, like `mine`.
   */
  async current(actor: Actor): Promise<{ state: RequestState; placement: number } | null> {
    const row = await repo.findCurrent(this.d.db, actor.id);
    return row ? { state: row.state as RequestState, placement: row.placement } : null;
  }

  /** The open flag and the capacity alone (one row read; `status` also counts requests). */
  async settings(): Promise<{ open: boolean; capacity: number }> {
    const s = await repo.readSettings(this.d.db);
    return { open: s.open, capacity: s.capacity };
  }

  /**
   * Ends the queue day (admin, or the automatic reset): active requests close, denied and resolved
   * ones are released, placements restart at 0. Appointments and resolutions are kept.
   */
  async reset(origin: AuditOrigin, source: 'manual' | 'automatic' = 'manual') {
    const result = await withTransaction(this.d.db, async (tx) => {
      const settings = await repo.lockSettings(tx);
      return this.resetLocked(tx, settings, origin, source);
    });
    this.capacityMayHaveChanged();
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
    this.capacityMayHaveChanged();
    return result;
  }
}
