/**
 * Consultation requests after the submit: reads, history and back-office lists (audited), the
 * patient's cancel, and the staff's accept/deny. Every transition is a compare-and-set on the
 * request's state and version (appointments.workflow.ts); a refusal is audited with its code.
 */
import type { Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import { type Actor, isStaff } from '../../lib/authorization.js';
import { AppError, NotFoundError } from '../../lib/errors.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import { consultationDecisionMessage } from '../notifications/messages.js';
import * as repo from './appointments.queue.repository.js';
import type { DecisionBody, QueueRequest, RequestHistory, RequestListQuery } from './appointments.queue.schema.js';
import type { RequestState } from './appointments.states.js';
import { move, moverOf, type WorkflowDeps } from './appointments.workflow.js';

export interface RequestsDeps extends WorkflowDeps {
  /** A decision or a cancel may free capacity (the queue service drops its cached "full"). */
  onCapacityChange(): void;
}

const seconds = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

export function toQueueRequest(row: repo.RequestListRow, now: Date): QueueRequest {
  const end = row.decidedAt ?? (row.state === 'pending' ? now : row.updatedAt);
  return {
    id: row.id,
    patient: { id: row.patientId, name: row.patientName, surname: row.patientSurname },
    state: row.state as RequestState,
    day: row.queueDay,
    placement: row.placement,
    position: row.position,
    current: row.releasedAt === null,
    motive: row.motive as QueueRequest['motive'],
    otherMotive: row.otherMotive,
    note: row.note,
    version: row.version,
    decidedBy: row.decidedByStaffId,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decisionReason: row.decisionReason,
    waitingSeconds: seconds(row.createdAt, end),
    appointmentId: row.appointmentId,
    emergencyCare: row.emergencyCare ?? false,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export class RequestsService {
  constructor(private readonly d: RequestsDeps) {}

  /** A request the caller may see: staff any, a patient only their own (anyone else's is 404). */
  private async visible(actor: Actor, origin: AuditOrigin, id: number, action: string) {
    const row = await repo.findRequestDetailed(this.d.db, id);
    const allowed = row !== null && (isStaff(actor) || (actor.kind === 'patient' && row.patientId === actor.id));
    if (!allowed) {
      const denied = row !== null;
      await this.d.audit.record(this.d.db, {
        ...origin,
        action,
        resourceType: 'queue_request',
        resourceId: id,
        patientId: row?.patientId ?? null,
        outcome: denied ? 'denied' : 'failure',
        details: { reason: denied ? 'not_permitted' : 'not_found' },
      });
      throw new NotFoundError('request');
    }
    return row;
  }

  async read(actor: Actor, origin: AuditOrigin, id: number): Promise<QueueRequest> {
    const row = await this.visible(actor, origin, id, 'queue.requests.read');
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'queue.requests.read',
      resourceType: 'queue_request',
      resourceId: id,
      patientId: row.patientId,
      outcome: 'success',
    });
    return toQueueRequest(row, this.d.clock.now());
  }

  async history(actor: Actor, origin: AuditOrigin, id: number): Promise<RequestHistory> {
    const row = await this.visible(actor, origin, id, 'queue.requests.history');
    const rows = await repo.history(this.d.db, id);
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'queue.requests.history',
      resourceType: 'queue_request',
      resourceId: id,
      patientId: row.patientId,
      outcome: 'success',
      details: { returned: rows.length },
    });
    return {
      requestId: id,
      data: rows.map((t) => ({
        id: t.id,
        from: t.fromState as RequestState | null,
        to: t.toState as RequestState,
        actorRole: t.actorRole,
        actorId: t.actorStaffId ?? t.actorPatientId,
        reason: t.reason,
        at: t.createdAt.toISOString(),
      })),
    };
  }

  async list(origin: AuditOrigin, query: RequestListQuery) {
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 20;
    const day = (query.day ?? 'current') === 'current' ? (await repo.readSettings(this.d.db)).day : undefined;
    const { rows, total } = await repo.listRequests(
      this.d.db,
      { state: query.state, day, patientId: query.patientId },
      perPage,
      (page - 1) * perPage,
    );
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'queue.requests.list',
      resourceType: 'queue_request',
      patientId: query.patientId ?? null,
      outcome: 'success',
      details: {
        state: query.state ?? null,
        day: day ?? 'all',
        page,
        perPage,
        returned: rows.length,
        total,
        requestIds: rows.map((r) => r.id),
      },
    });
    const now = this.d.clock.now();
    return { data: rows.map((r) => toQueueRequest(r, now)), total };
  }

  /** The patient withdraws their pending request; it is released at once (they may ask again). */
  async cancel(actor: Actor, origin: AuditOrigin, id: number): Promise<QueueRequest> {
    const row = await this.visible(actor, origin, id, 'queue.requests.cancel');
    const now = this.d.clock.now();
    await this.transition(origin, row, 'queue.requests.cancel', async (tx) => {
      await move(tx, row, 'cancel', moverOf(origin), now, { changes: { releasedAt: now } });
      await this.d.events.publishAfterCommit(tx, 'queue', 'request_cancelled', {
        requestId: row.id,
        patientId: row.patientId,
      });
      return {};
    });
    this.d.onCapacityChange();
    return this.detailed(id);
  }

  /** Accept or deny a pending request (clinicians, assistants); the patient is e-mailed. */
  async decide(
    actor: Actor,
    origin: AuditOrigin,
    id: number,
    verdict: 'accept' | 'deny',
    body: DecisionBody = {},
  ): Promise<QueueRequest> {
    const found = await repo.findRequestWithPatient(this.d.db, id);
    if (!found) {
      await this.d.audit.record(this.d.db, {
        ...origin,
        action: `queue.requests.${verdict}`,
        resourceType: 'queue_request',
        resourceId: id,
        outcome: 'failure',
        details: { reason: 'not_found' },
      });
      throw new NotFoundError('request');
    }
    const row = found.request;
    const now = this.d.clock.now();
    let moved: repo.RequestRow = row;
    await this.transition(origin, row, `queue.requests.${verdict}`, async (tx) => {
      moved = await move(tx, row, verdict, moverOf(origin), now, {
        expectedVersion: body.expectedVersion,
        reason: body.reason,
        changes: { decidedByStaffId: actor.id, decidedAt: now, decisionReason: body.reason ?? null },
      });
      await this.d.events.publishAfterCommit(
        tx,
        'queue',
        verdict === 'accept' ? 'request_accepted' : 'request_denied',
        {
          requestId: row.id,
          patientId: row.patientId,
        },
      );
      const message = consultationDecisionMessage(found.patientName, verdict === 'accept');
      await this.d.mail(tx, { to: found.email, ...message }, `queue_${verdict}`);
      return { reasonGiven: body.reason !== undefined };
    });
    this.d.onCapacityChange();
    // A decided request is not pending (no position) and has no appointment yet.
    const view = { patientName: found.patientName, patientSurname: found.patientSurname };
    return toQueueRequest({ ...moved, ...view, position: null, appointmentId: null, emergencyCare: null }, now);
  }

  /** The legacy adapter's key: the pending request holding `placement` today, or null. */
  async pendingIdByPlacement(placement: number): Promise<number | null> {
    const settings = await repo.readSettings(this.d.db);
    return (await repo.findPendingByPlacement(this.d.db, settings.day, placement))?.id ?? null;
  }

  /**
   * Accept or deny by placement (the legacy back-office's key): the pending request holding
   * `placement` in the running queue day, then the normal decision. None → 404, audited.
   */
  async decideByPlacement(actor: Actor, origin: AuditOrigin, placement: number, verdict: 'accept' | 'deny') {
    const id = await this.pendingIdByPlacement(placement);
    if (id === null) {
      await this.d.audit.record(this.d.db, {
        ...origin,
        action: `queue.requests.${verdict}`,
        resourceType: 'queue_request',
        outcome: 'failure',
        details: { reason: 'not_found', placement },
      });
      throw new NotFoundError('request', 'No pending request holds this placement today.');
    }
    return this.decide(actor, origin, id, verdict);
  }

  /**
   * The running queue day's current requests (the legacy queue lists), optionally only some
   * states, in placement order. Audited like `list`.
   */
  async currentDay(origin: AuditOrigin, states?: readonly RequestState[]) {
    const rows = await repo.listCurrentDay(this.d.db, states);
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'queue.requests.list',
      resourceType: 'queue_request',
      outcome: 'success',
      details: { states: states ?? 'all', day: 'current', returned: rows.length, requestIds: rows.map((r) => r.id) },
    });
    return rows;
  }

  /**
   * Runs one transition with its audit row in one transaction; a refusal (409) is audited as a
   * failure with the code, then rethrown.
   */
  private async transition(
    origin: AuditOrigin,
    row: repo.RequestRow,
    action: string,
    work: (tx: Executor) => Promise<Record<string, unknown>>,
  ): Promise<void> {
    const base = {
      ...origin,
      action,
      resourceType: 'queue_request',
      resourceId: row.id,
      patientId: row.patientId,
    };
    try {
      await withTransaction(this.d.db, async (tx) => {
        const details = await work(tx);
        await this.d.audit.record(tx, { ...base, outcome: 'success', details: { from: row.state, ...details } });
      });
    } catch (err) {
      if (err instanceof AppError) {
        await this.d.audit.record(this.d.db, { ...base, outcome: 'failure', details: { reason: err.code } });
      }
      throw err;
    }
  }

  private async detailed(id: number): Promise<QueueRequest> {
    const row = await repo.findRequestDetailed(this.d.db, id);
    if (!row) throw new NotFoundError('request');
    return toQueueRequest(row, this.d.clock.now());
  }
}
