/**
 * Appointments: the accepted patient's treatment details (request accepted → created) and the
 * appointment reads. Reads are audited (staff and patients alike, refusals included); a patient
 * reaches only their own appointments, anyone else's is 404. Resolutions and their revisions are
 * appointments.resolutions.service.ts; this class is the one appointments surface the routes and
 * the legacy listeners call, so it hands those on.
 */
import { withTransaction } from '../../db/transaction.js';
import { type Actor, isStaff } from '../../lib/authorization.js';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import type { AppointmentsAccess } from './appointments.access.js';
import { isRaceConflict, RequestNotAcceptedError, StaleTransitionError } from './appointments.errors.js';
import * as qrepo from './appointments.queue.repository.js';
import * as repo from './appointments.repository.js';
import type { ResolutionsService } from './appointments.resolutions.service.js';
import type {
  Appointment,
  AppointmentBody,
  AppointmentListQuery,
  Resolution,
  ResolutionBody,
} from './appointments.schema.js';
import type { RequestState } from './appointments.states.js';
import { toAppointment } from './appointments.view.js';
import { checkMotive, move, moverOf, type WorkflowDeps } from './appointments.workflow.js';

export interface AppointmentsDeps extends WorkflowDeps {
  access: AppointmentsAccess;
  resolutions: ResolutionsService;
}

const blankToNull = (v: string | null | undefined) => (v === undefined || v === null || v.trim() === '' ? null : v);

export class AppointmentsService {
  constructor(private readonly d: AppointmentsDeps) {}

  /** The accepted patient's treatment details; their request becomes `created`. */
  async create(actor: Actor, origin: AuditOrigin, body: AppointmentBody): Promise<Appointment> {
    checkMotive(body.motive, body.otherMotive);
    const patientId = actor.id;
    const current = await qrepo.findCurrent(this.d.db, patientId);
    if (current?.state !== 'accepted') {
      await this.d.access.refuse(origin, 'appointments.create', null, patientId, 'request_not_accepted');
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
        await this.d.access.refuse(origin, 'appointments.create', null, patientId, refusal.code);
      }
      throw refusal;
    }
    return toAppointment((await repo.findAppointment(this.d.db, id)) as repo.AppointmentView);
  }

  async read(actor: Actor, origin: AuditOrigin, id: number): Promise<Appointment> {
    const row = await this.d.access.visible(actor, origin, id, 'appointments.read');
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
        await this.d.access.refuse(origin, 'appointments.list', null, patientId, 'not_permitted');
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
      await this.d.access.refuse(origin, 'appointments.list', null, patientId, 'not_permitted');
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

  /** Writes a resolution or a correction (appointments.resolutions.service.ts). */
  resolve(actor: Actor, origin: AuditOrigin, id: number, body: ResolutionBody): Promise<Resolution> {
    return this.d.resolutions.resolve(actor, origin, id, body);
  }

  resolution(actor: Actor, origin: AuditOrigin, id: number): Promise<Resolution> {
    return this.d.resolutions.resolution(actor, origin, id);
  }

  revisions(actor: Actor, origin: AuditOrigin, id: number) {
    return this.d.resolutions.revisions(actor, origin, id);
  }
}
