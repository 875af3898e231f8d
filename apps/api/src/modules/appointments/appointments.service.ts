/**
 * Appointments: the accepted patient's treatment details (request accepted → created), the
 * clinician's resolution (created → resolved; later corrections are new revisions), and reads.
 * Reads are audited (staff and patients alike, refusals included); a patient reaches only their
 * own appointments, anyone else's is 404.
 */
import { withTransaction } from '../../db/transaction.js';
import { type Actor, isStaff } from '../../lib/authorization.js';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import { consultationResolvedMessage } from '../notifications/messages.js';
import {
  isRaceConflict,
  RequestNotAcceptedError,
  ResolutionExistsError,
  StaleRevisionError,
  StaleTransitionError,
} from './appointments.errors.js';
import * as qrepo from './appointments.queue.repository.js';
import * as repo from './appointments.repository.js';
import type {
  Appointment,
  AppointmentBody,
  AppointmentListQuery,
  Resolution,
  ResolutionBody,
} from './appointments.schema.js';
import type { RequestState } from './appointments.states.js';
import { checkMotive, move, moverOf, notifyPatient, type WorkflowDeps } from './appointments.workflow.js';

const blankToNull = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v);

export function toAppointment(row: repo.AppointmentView): Appointment {
  return {
    id: row.id,
    requestId: row.requestId,
    patient: { id: row.patientId, name: row.patientName, surname: row.patientSurname },
    state: row.resolutionRevision === null ? 'awaiting_resolution' : 'resolved',
    requestState: row.requestState as RequestState,
    glucoseObjective: row.glucoseObjectiveMgDl,
    insulinType: row.insulinType,
    dose: row.doseUnits,
    fastInsulin: row.fastInsulin,
    fixedDose: row.fixedDoseUnits,
    ratio: row.ratioGramsPerUnit,
    sensitivity: row.sensitivityMgDlPerUnit,
    pumpType: row.pumpType,
    anotherTreatment: row.anotherTreatment,
    controlData: row.controlData,
    motive: row.motive as Appointment['motive'],
    otherMotive: row.otherMotive,
    resolutionRevision: row.resolutionRevision,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    emergencyCare: row.emergencyCare,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toResolution(row: repo.ResolutionRow): Resolution {
  return {
    appointmentId: row.appointmentId,
    revision: row.revision,
    authorId: row.authorStaffId,
    changeBasalType: row.changeBasalType,
    changeBasalDose: row.changeBasalDoseUnits,
    changeBasalTime: row.changeBasalTime,
    changeFastType: row.changeFastType,
    changeRatio: row.changeRatioGramsPerUnit,
    changeSensitivity: row.changeSensitivityMgDlPerUnit,
    emergencyCare: row.emergencyCare,
    inPersonVisitNeeded: row.inPersonVisitNeeded,
    glucoseScale: row.glucoseScale ?? null,
    notes: row.notes,
    correctionReason: row.correctionReason,
    createdAt: row.createdAt.toISOString(),
  };
}

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

export class AppointmentsService {
  constructor(private readonly d: WorkflowDeps) {}

  private async refuse(
    origin: AuditOrigin,
    action: string,
    id: number | null,
    patientId: number | null,
    reason: string,
  ) {
    await this.d.audit.record(this.d.db, {
      ...origin,
      action,
      resourceType: 'appointment',
      resourceId: id,
      patientId,
      outcome: reason === 'not_permitted' ? 'denied' : 'failure',
      details: { reason },
    });
  }

  /** The appointment if the caller may see it: staff any, a patient only their own (else 404). */
  private async visible(actor: Actor, origin: AuditOrigin, id: number, action: string) {
    const row = await repo.findAppointment(this.d.db, id);
    if (row && (isStaff(actor) || (actor.kind === 'patient' && row.patientId === actor.id))) return row;
    await this.refuse(origin, action, id, row?.patientId ?? null, row ? 'not_permitted' : 'not_found');
    throw new NotFoundError('appointment');
  }

  /** The accepted patient's treatment details; their request becomes `created`. */
  async create(actor: Actor, origin: AuditOrigin, body: AppointmentBody): Promise<Appointment> {
    checkMotive(body.motive, body.otherMotive);
    const patientId = actor.id;
    const current = await qrepo.findCurrent(this.d.db, patientId);
    if (current?.state !== 'accepted') {
      await this.refuse(origin, 'appointments.create', null, patientId, 'request_not_accepted');
      throw new RequestNotAcceptedError((current?.state as RequestState | undefined) ?? 'none');
    }
    const now = this.d.clock.now();
    let id: number;
    try {
      id = await withTransaction(this.d.db, async (tx) => {
        await move(tx, current, 'create', moverOf(origin), now);
        const row = await repo.insertAppointment(tx, {
          requestId: current.id,
          patientId,
          glucoseObjectiveMgDl: body.glucoseObjective,
          insulinType: body.insulinType,
          doseUnits: body.dose,
          fastInsulin: body.fastInsulin,
          fixedDoseUnits: body.fixedDose,
          ratioGramsPerUnit: body.ratio,
          sensitivityMgDlPerUnit: body.sensitivity,
          pumpType: body.pumpType,
          anotherTreatment: blankToNull(body.anotherTreatment),
          controlData: blankToNull(body.controlData),
          motive: body.motive,
          otherMotive: blankToNull(body.otherMotive),
          createdAt: now,
          updatedAt: now,
        });
        await this.d.audit.record(tx, {
          ...origin,
          action: 'appointments.create',
          resourceType: 'appointment',
          resourceId: row.id,
          patientId,
          outcome: 'success',
          details: { requestId: current.id, from: 'accepted', to: 'created', motiveCount: body.motive.length },
        });
        const ids = { appointmentId: row.id, requestId: current.id, patientId };
        await this.d.events.publishAfterCommit(tx, 'appointments', 'created', ids);
        await this.d.events.publishAfterCommit(tx, 'queue', 'request_created', { requestId: current.id, patientId });
        return row.id;
      });
    } catch (err) {
      const refusal = isRaceConflict(err) ? new StaleTransitionError('created', 'given details') : err;
      if (refusal instanceof AppError) {
        await this.refuse(origin, 'appointments.create', null, patientId, refusal.code);
      }
      throw refusal;
    }
    return toAppointment((await repo.findAppointment(this.d.db, id)) as repo.AppointmentView);
  }

  async read(actor: Actor, origin: AuditOrigin, id: number): Promise<Appointment> {
    const row = await this.visible(actor, origin, id, 'appointments.read');
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'appointments.read',
      resourceType: 'appointment',
      resourceId: id,
      patientId: row.patientId,
      outcome: 'success',
    });
    return toAppointment(row);
  }

  async list(actor: Actor, origin: AuditOrigin, query: AppointmentListQuery) {
    let patientId = query.patientId;
    if (!isStaff(actor)) {
      // A patient lists their own appointments only; naming someone else is "not found" (AZ-2).
      if (patientId !== undefined && patientId !== actor.id) {
        await this.refuse(origin, 'appointments.list', null, patientId, 'not_permitted');
        throw new NotFoundError('patient');
      }
      patientId = actor.id;
    }
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 20;
    const filters = {
      patientId,
      state: query.state,
      emergencyCare: query.emergencyCare,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    };
    if (filters.from && filters.to && filters.from >= filters.to) {
      throw new ValidationError({ 'querystring.to': 'must be after from' });
    }
    const { rows, total } = await repo.listAppointments(this.d.db, filters, perPage, (page - 1) * perPage);
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'appointments.list',
      resourceType: 'appointment',
      patientId: patientId ?? null,
      outcome: 'success',
      details: {
        filters: Object.keys(query).filter((k) => !['page', 'perPage'].includes(k)),
        page,
        perPage,
        returned: rows.length,
        total,
        appointmentIds: rows.map((r) => r.id),
      },
    });
    return { data: rows.map(toAppointment), total };
  }

  /**
   * Every appointment of one patient, oldest first, unpaged (the legacy `/appointments/mine` and
   * `/appointments/from_user/{id}`). Staff any patient; a patient only themself (else 404). Audited.
   */
  async ofPatient(actor: Actor, origin: AuditOrigin, patientId: number): Promise<Appointment[]> {
    if (!isStaff(actor) && !(actor.kind === 'patient' && actor.id === patientId)) {
      await this.refuse(origin, 'appointments.list', null, patientId, 'not_permitted');
      throw new NotFoundError('patient');
    }
    const rows = await repo.listAppointmentsOfPatient(this.d.db, patientId);
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'appointments.list',
      resourceType: 'appointment',
      patientId,
      outcome: 'success',
      details: { filters: ['patientId'], returned: rows.length, appointmentIds: rows.map((r) => r.id) },
    });
    return rows.map(toAppointment);
  }

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
      await this.refuse(origin, 'appointments.resolve', id, null, 'not_found');
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
        await this.refuse(origin, 'appointments.resolve', id, appointment.patientId, refusal.code);
      }
      throw refusal;
    }
  }

  /** The current (latest) resolution; 404 while there is none. */
  async resolution(actor: Actor, origin: AuditOrigin, id: number): Promise<Resolution> {
    const appointment = await this.visible(actor, origin, id, 'appointments.resolution.read');
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
    const appointment = await this.visible(actor, origin, id, 'appointments.resolution.revisions');
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
