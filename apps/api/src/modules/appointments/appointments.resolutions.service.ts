/**
 * Resolutions: the clinician's answer to an appointment (its request created → resolved) and its
 * later corrections, each a new revision (rows are never updated); the latest one and the list of
 * revisions. Reads are audited like the appointment reads, refusals included.
 */
import { withTransaction } from '../../db/transaction.js';
import type { Actor } from '../../lib/authorization.js';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import { consultationResolvedMessage } from '../notifications/messages.js';
import type { AppointmentsAccess } from './appointments.access.js';
import { isRaceConflict, ResolutionExistsError, StaleRevisionError } from './appointments.errors.js';
import * as qrepo from './appointments.queue.repository.js';
import * as repo from './appointments.repository.js';
import type { Resolution, ResolutionBody } from './appointments.schema.js';
import { toResolution } from './appointments.view.js';
import { move, moverOf, notifyPatient, type WorkflowDeps } from './appointments.workflow.js';

export interface ResolutionsDeps extends WorkflowDeps {
  access: AppointmentsAccess;
}

/** The optional fields the audit row names when given (names only: clinical values stay out). */
const RESOLUTION_FIELDS = [
  'changeBasalType',
  'changeBasalDose',
  'changeBasalTime',
  'changeFastType',
  'changeRatio',
  'changeSensitivity',
  'glucoseScale',
  'notes',
] as const;

export class ResolutionsService {
  constructor(private readonly d: ResolutionsDeps) {}

  /**
   * Writes the resolution (clinicians). The first one moves the request created → resolved; a
   * correction must name the revision it replaces (`revises`, the latest) and give a reason, and
   * becomes the next revision. Rows are never updated. The patient is e-mailed either way.
   */
  async resolve(actor: Actor, origin: AuditOrigin, id: number, body: ResolutionBody): Promise<Resolution> {
    if ((body.revises === undefined) !== (body.correctionReason === undefined)) {
      const field = body.revises === undefined ? 'revises' : 'correctionReason';
      throw new ValidationError({ [`body.${field}`]: 'revises and correctionReason go together (a correction)' });
    }
    const appointment = await repo.findAppointment(this.d.db, id);
    if (!appointment) {
      await this.d.access.refuse(origin, 'appointments.resolve', id, null, 'not_found');
      throw new NotFoundError('appointment');
    }
    const now = this.d.clock.now();
    try {
      return await withTransaction(this.d.db, async (tx) => {
        const locked = await repo.lockAppointment(tx, id);
        if (!locked) throw new NotFoundError('appointment');
        const latest = await repo.latestResolution(tx, id);
        if (latest && body.revises === undefined) throw new ResolutionExistsError(latest.revision);
        if (body.revises !== undefined && body.revises !== latest?.revision) {
          throw new StaleRevisionError(latest?.revision ?? null);
        }
        const revision = (latest?.revision ?? 0) + 1;
        const row = await repo.insertResolution(tx, {
          appointmentId: id,
          revision,
          authorStaffId: actor.id,
          changeBasalType: body.changeBasalType ?? null,
          changeBasalDoseUnits: body.changeBasalDose ?? null,
          changeBasalTime: body.changeBasalTime ? body.changeBasalTime.slice(0, 5) : null,
          changeFastType: body.changeFastType ?? null,
          changeRatioGramsPerUnit: body.changeRatio ?? null,
          changeSensitivityMgDlPerUnit: body.changeSensitivity ?? null,
          emergencyCare: body.emergencyCare,
          inPersonVisitNeeded: body.inPersonVisitNeeded,
          glucoseScale: body.glucoseScale ?? null,
          notes: body.notes ?? null,
          correctionReason: body.correctionReason ?? null,
          createdAt: now,
          updatedAt: now,
        });
        await repo.markResolved(tx, id, {
          resolutionRevision: revision,
          emergencyCare: body.emergencyCare,
          resolvedAt: locked.resolvedAt ?? now,
          updatedAt: now,
        });
        // The first resolution finishes a `created` request. After a day reset the request is
        // already closed: the appointment is still answered, the request stays closed.
        const request = await qrepo.findRequest(tx, locked.requestId);
        let moved = false;
        if (revision === 1 && request?.state === 'created') {
          await move(tx, request, 'resolve', moverOf(origin), now);
          moved = true;
          await this.d.events.publishAfterCommit(tx, 'queue', 'request_resolved', {
            requestId: request.id,
            patientId: locked.patientId,
          });
        }
        await this.d.audit.record(tx, {
          ...origin,
          action: 'appointments.resolve',
          resourceType: 'appointment',
          resourceId: id,
          patientId: locked.patientId,
          outcome: 'success',
          details: {
            revision,
            requestId: locked.requestId,
            requestMoved: moved,
            fields: RESOLUTION_FIELDS.filter((f) => body[f] !== undefined && body[f] !== null),
          },
        });
        const ids = { appointmentId: id, patientId: locked.patientId, revision };
        await this.d.events.publishAfterCommit(
          tx,
          'appointments',
          revision === 1 ? 'resolved' : 'resolution_corrected',
          ids,
        );
        await notifyPatient(
          this.d,
          tx,
          locked.patientId,
          (name) => consultationResolvedMessage(name, revision > 1),
          'appointment_resolved',
        );
        return toResolution(row);
      });
    } catch (err) {
      const refusal = isRaceConflict(err) ? new StaleRevisionError(null) : err;
      if (refusal instanceof AppError) {
        await this.d.access.refuse(origin, 'appointments.resolve', id, appointment.patientId, refusal.code);
      }
      throw refusal;
    }
  }

  /** The current (latest) resolution; 404 while there is none. */
  async resolution(actor: Actor, origin: AuditOrigin, id: number): Promise<Resolution> {
    const appointment = await this.d.access.visible(actor, origin, id, 'appointments.resolution.read');
    const latest = await repo.latestResolution(this.d.db, id);
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'appointments.resolution.read',
      resourceType: 'appointment',
      resourceId: id,
      patientId: appointment.patientId,
      outcome: latest ? 'success' : 'failure',
      details: latest ? { revision: latest.revision } : { reason: 'no_resolution' },
    });
    if (!latest) throw new NotFoundError('resolution', 'This appointment has no resolution yet (not found).');
    return toResolution(latest);
  }

  async revisions(actor: Actor, origin: AuditOrigin, id: number) {
    const appointment = await this.d.access.visible(actor, origin, id, 'appointments.resolution.revisions');
    const rows = await repo.resolutionRevisions(this.d.db, id);
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'appointments.resolution.revisions',
      resourceType: 'appointment',
      resourceId: id,
      patientId: appointment.patientId,
      outcome: 'success',
      details: { returned: rows.length },
    });
    return { appointmentId: id, data: rows.map(toResolution) };
  }
}
