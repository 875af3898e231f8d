/**
 * Who may see an appointment, and the audit row of a refused appointment call: shared by the
 * appointment reads (appointments.service.ts) and the resolutions (appointments.resolutions.service.ts).
 */
import { type Actor, isStaff } from '../../lib/authorization.js';
import { NotFoundError } from '../../lib/errors.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import * as repo from './appointments.repository.js';
import type { WorkflowDeps } from './appointments.workflow.js';

export class AppointmentsAccess {
  constructor(private readonly d: Pick<WorkflowDeps, 'db' | 'audit'>) {}

  /** Audits a refusal: `denied` for someone else's record, `failure` for any other reason. */
  async refuse(origin: AuditOrigin, action: string, id: number | null, patientId: number | null, reason: string) {
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
  async visible(actor: Actor, origin: AuditOrigin, id: number, action: string) {
    const row = await repo.findAppointment(this.d.db, id);
    if (row && (isStaff(actor) || (actor.kind === 'patient' && row.patientId === actor.id))) return row;
    await this.refuse(origin, action, id, row?.patientId ?? null, row ? 'not_permitted' : 'not_found');
    throw new NotFoundError('appointment');
  }
}
