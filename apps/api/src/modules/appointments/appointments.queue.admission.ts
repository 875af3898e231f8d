/**
 * The submit path of the queue: a patient asks for a consultation. The capacity is counted under
 * the queue row lock (README.md, "Capacity under concurrency", explains why); an in-process line
 * and a briefly reused "full"/"closed" answer keep a burst of submits cheap. The rest of the queue
 * (settings, the patient's status) is appointments.queue.service.ts; the day reset and the
 * scheduler are appointments.queue.day.ts.
 */
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
import type { SubmitBody } from './appointments.queue.schema.js';
import type { RequestState } from './appointments.states.js';
import { checkMotive, moverOf, type WorkflowDeps } from './appointments.workflow.js';

/** How long a "queue full/closed" answer is reused by this instance (see `precheck`). */
const VERDICT_MS = 250;

export class QueueAdmission {
  /** Tail of this instance's submit line (see `inLine`). */
  private line: Promise<void> = Promise.resolve();

  /**
   * A recent "closed" or "full" answer, reused for at most VERDICT_MS (or until a queue event says
   * the capacity or the flag may have changed). It only ever refuses early: admission always
   * goes through the locked check. Without it, each request of a 1,000-strong burst against a
   * full queue would make its own round trip in line.
   */
  private verdict: { error: 'closed' | 'full'; until: number } | null = null;

  constructor(private readonly d: WorkflowDeps) {}

  /** Forget the cached verdict: called on queue events (decisions, cancels, resets, settings). */
  capacityMayHaveChanged(): void {
    this.verdict = null;
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
}
