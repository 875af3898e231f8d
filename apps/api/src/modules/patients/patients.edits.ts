/**
 * Profile edits: staff edit a record, a patient edits their preferences (and, through the legacy
 * app, their contact fields). One transaction each, with the audit row; refusals audited, 404.
 */
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import { type Actor, canWritePatient } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import { DuplicateError, rethrowPatientConflict } from './patients.errors.js';
import { checkProfile, PROFILE_KEYS, toPatient } from './patients.profile.js';
import * as repo from './patients.repository.js';
import type { Patient, PreferencesBody, UpdatePatientBody } from './patients.schema.js';

export interface PatientEditsDeps {
  db: Database;
  audit: AuditService;
  events: Events;
  clock: Clock;
  /** Tells the previous address that the account's e-mail changed (sent after `tx` commits). */
  emailChanged?(tx: Executor, previous: { email: string; name: string }): Promise<void>;
}

export class PatientEdits {
  constructor(private readonly d: PatientEditsDeps) {}

  /** Staff edit of a patient record (`PATCH /v1/patients/:id`). */
  update(actor: Actor, origin: AuditOrigin, id: number, patch: UpdatePatientBody): Promise<Patient> {
    return this.applyChanges(actor, origin, id, patch, 'patients');
  }

  /** A patient's own preferences (`PATCH /v1/me`). */
  updatePreferences(actor: Actor, origin: AuditOrigin, patch: PreferencesBody): Promise<Patient> {
    return this.applyChanges(actor, origin, actor.id, patch, 'me');
  }

  /**
   * The legacy app's own profile edit (`PATCH /users/me` on the patient gateway, legacy-compat.md
   * A.3): the old app lets patients correct their name, surname and e-mail, so the legacy listener
   * must too — wider than `/v1/me` (preferences only), and listed in the legacy README. The e-mail
   * stays unique; `ignored` names the fields the caller sent that patients may not change (audited).
   */
  updateOwnContact(
    actor: Actor,
    origin: AuditOrigin,
    patch: Pick<UpdatePatientBody, 'name' | 'surname' | 'email'>,
    ignored: readonly string[] = [],
  ): Promise<Patient> {
    // Exactly these three, whatever else the object carries at run time (mass assignment, AZ-5).
    const contact: UpdatePatientBody = {};
    for (const key of ['name', 'surname', 'email'] as const) {
      const value = patch[key];
      if (value !== undefined) contact[key] = value;
    }
    const details = ignored.length > 0 ? { ignored: [...ignored] } : {};
    return this.applyChanges(actor, origin, actor.id, contact, 'legacy_me', details);
  }

  private async applyChanges(
    actor: Actor,
    origin: AuditOrigin,
    id: number,
    patch: UpdatePatientBody,
    via: 'patients' | 'me' | 'legacy_me',
    extraDetails: Record<string, unknown> = {},
  ): Promise<Patient> {
    const exists = await repo.patientExists(this.d.db, id);
    const allowed =
      via === 'patients' ? canWritePatient(actor, id, exists) : exists && actor.kind === 'patient' && actor.id === id;
    if (!allowed) {
      await this.d.audit.record(this.d.db, {
        ...origin,
        action: 'patients.update',
        resourceType: 'patient',
        resourceId: id,
        patientId: exists ? id : null,
        outcome: exists ? 'denied' : 'failure',
        details: { reason: exists ? 'not_permitted' : 'not_found', via },
      });
      throw new NotFoundError('patient');
    }
    try {
      return await withTransaction(this.d.db, async (tx) => {
        const current = await repo.lockPatient(tx, id);
        if (!current) throw new NotFoundError('patient');
        // The range is checked against the stored bound the patch leaves alone.
        checkProfile(patch, this.d.clock.now().getTime(), current);
        const changes: repo.PatientChanges = {};
        const changed: string[] = [];
        for (const key of PROFILE_KEYS) {
          const value = patch[key];
          if (value === undefined || value === current[key]) continue;
          (changes as Record<string, unknown>)[key] = value;
          changed.push(key);
        }
        const unique = {
          dni: changes.dni ?? undefined,
          email: changes.email ?? undefined,
          hospitalAccount: changes.hospitalAccount,
        };
        const taken = await repo.findConflict(tx, unique, id);
        if (taken) throw new DuplicateError(taken);
        const row =
          changed.length > 0
            ? await repo.updatePatient(tx, id, { ...changes, updatedAt: this.d.clock.now() })
            : current;
        await this.d.audit.record(tx, {
          ...origin,
          action: 'patients.update',
          resourceType: 'patient',
          resourceId: id,
          patientId: id,
          outcome: 'success',
          details: { changed, via, ...extraDetails },
        });
        if (changed.length > 0) await this.d.events.publishAfterCommit(tx, 'patients', 'updated', { patientId: id });
        if (changes.email !== undefined) await this.d.emailChanged?.(tx, { email: current.email, name: current.name });
        return toPatient(row);
      });
    } catch (err) {
      rethrowPatientConflict(err);
    }
  }
}
