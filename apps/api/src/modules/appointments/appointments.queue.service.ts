/**
 * The consultation queue as a whole: its settings, its counts, and the patient's own status. Each
 * change commits with its audit row; events leave after the commit. The submit path lives in
 * appointments.queue.admission.ts, the day reset and the scheduler in appointments.queue.day.ts,
 * decisions, cancels and reads of requests in appointments.requests.service.ts. This class is
 * the one queue surface the routes and the legacy listeners call, so it hands those on.
 */
import { withTransaction } from '../../db/transaction.js';
import type { Actor } from '../../lib/authorization.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import type { QueueAdmission } from './appointments.queue.admission.js';
import type { QueueDay, QueueDeps } from './appointments.queue.day.js';
import * as repo from './appointments.queue.repository.js';
import type { MyQueue, QueuePatch, QueueStatus, SubmitBody } from './appointments.queue.schema.js';
import { withinSchedule } from './appointments.schedule.js';
import type { RequestState } from './appointments.states.js';

/** The parts of the queue built beside this service (index.ts wires them). */
export interface QueueParts {
  admission: QueueAdmission;
  day: QueueDay;
}

export class QueueService {
  constructor(
    private readonly d: QueueDeps,
    private readonly p: QueueParts,
  ) {}

  /** Forget the cached "full"/"closed" submit answer: called on queue events of any instance. */
  capacityMayHaveChanged(): void {
    this.p.admission.capacityMayHaveChanged();
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
    this.p.admission.capacityMayHaveChanged();
    return this.status();
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

  /** A patient asks for a consultation (appointments.queue.admission.ts). */
  submit(actor: Actor, origin: AuditOrigin, body: SubmitBody) {
    return this.p.admission.submit(actor, origin, body);
  }

  /** Ends the queue day (appointments.queue.day.ts). */
  reset(origin: AuditOrigin, source: 'manual' | 'automatic' = 'manual') {
    return this.p.day.reset(origin, source);
  }

  /** One scheduler step (appointments.queue.day.ts). */
  tick() {
    return this.p.day.tick();
  }
}
