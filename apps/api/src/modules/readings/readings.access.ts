/**
 * Reachability: who may reach which patient's readings. Writes and reads ask here; every refusal
 * is audited (security.md LG-3) and answered 404, so a caller cannot learn that another patient's
 * record or reading exists (AZ-2).
 */
import type { Database } from '../../db/client.js';
import { type Actor, canReadPatient, isStaff } from '../../lib/authorization.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import { patientExists } from './readings.patient.repository.js';
import * as repo from './readings.repository.js';

export interface ReadingsAccessDeps {
  db: Database;
  audit: AuditService;
}

export class ReadingsAccess {
  constructor(private readonly d: ReadingsAccessDeps) {}

  /** A live reading the actor may change (owner or staff); anything else is audited and 404. */
  async reachable(actor: Actor, origin: AuditOrigin, id: number, action: string): Promise<repo.ReadingRow> {
    const row = await repo.getById(this.d.db, id);
    const ok = row !== null && row.deletedAt === null && (isStaff(actor) || actor.id === row.patientId);
    if (!ok) {
      await this.d.audit.record(this.d.db, {
        ...origin,
        action,
        resourceType: 'reading',
        resourceId: id,
        patientId: row && actor.kind !== 'patient' ? row.patientId : null,
        outcome: row && row.deletedAt === null ? 'denied' : 'failure',
        details: { reason: row && row.deletedAt === null ? 'not_permitted' : 'not_found' },
      });
      throw new NotFoundError('reading');
    }
    return row;
  }

  /** Whose reading a single create is; refusals are audited and answered 404 (400 for staff without one). */
  async targetPatient(actor: Actor, origin: AuditOrigin, requested: number | undefined, action: string) {
    if (isStaff(actor)) {
      if (requested === undefined) throw new ValidationError({ 'body.patientId': 'is required for staff' });
      if (await patientExists(this.d.db, requested)) return requested;
    } else if (requested === undefined || requested === actor.id) {
      return actor.id;
    }
    await this.d.audit.record(this.d.db, {
      ...origin,
      action,
      resourceType: 'reading',
      patientId: null,
      outcome: 'failure',
      details: { reason: isStaff(actor) ? 'not_found' : 'not_permitted' },
    });
    throw new NotFoundError('patient');
  }

  /** A batch item's patient, or null when the item must be refused (checked for existence later). */
  batchPatient(actor: Actor, requested: number | undefined): number | null {
    if (isStaff(actor)) return requested ?? null;
    return requested === undefined || requested === actor.id ? actor.id : null;
  }

  /** Reading a patient's readings (lists, change feed): refused attempts are audited and 404. */
  async assertReadable(actor: Actor, origin: AuditOrigin, patientId: number, action: string): Promise<void> {
    // A patient reading their own record exists (their session was just verified live): one round
    // trip less on the commonest read, the app's own list and sync.
    if (actor.kind === 'patient' && actor.id === patientId) return;
    const exists = await patientExists(this.d.db, patientId);
    // A device reads the change feed of its own patient only (route policy admits it there alone).
    const ok = actor.kind === 'device' ? exists && actor.id === patientId : canReadPatient(actor, patientId, exists);
    if (ok) return;
    await this.d.audit.record(this.d.db, {
      ...origin,
      action,
      resourceType: 'reading',
      patientId: exists && actor.kind !== 'patient' ? patientId : null,
      outcome: exists ? 'denied' : 'failure',
      details: { reason: exists ? 'not_permitted' : 'not_found' },
    });
    throw new NotFoundError('patient');
  }
}
