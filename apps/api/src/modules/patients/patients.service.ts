/**
 * Patient use cases: list, create (by staff or self-registration), read, block/unblock; profile
 * edits live in patients.edits.ts, the profile's fields and checks in patients.profile.ts.
 * Transport-free: routes map HTTP onto these calls. Every read of a patient record is audited,
 * refused attempts included (LG-3); every change commits with its audit row and publishes its
 * event after the commit (architecture rule 4). Audit details carry ids and field names only.
 */

import type { Database, Executor } from '../../db/client.js';
import { insertCredential } from '../../db/credentials.js';
import { withTransaction } from '../../db/transaction.js';
import { patientRecordEntry } from '../../lib/audit.js';
import { type Actor, canReadPatient, canWritePatient } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import type { AuditOrigin, AuditOutcome, AuditService } from '../audit/audit.service.js';
import type { Recipient } from '../auth/auth.password-tokens.js';
import { hashPassword, passwordProblem } from '../auth/auth.passwords.js';
import type { SessionService } from '../auth/auth.sessions.js';
import { PatientEdits } from './patients.edits.js';
import { DuplicateError, rethrowPatientConflict } from './patients.errors.js';
import { checkProfile, PROFILE_KEYS, toPatient } from './patients.profile.js';
import * as repo from './patients.repository.js';
import {
  type CreatePatientBody,
  DEFAULT_TIMEZONE,
  type ListQuery,
  type Patient,
  type PreferencesBody,
  type UpdatePatientBody,
} from './patients.schema.js';

export interface PatientsDeps {
  db: Database;
  audit: AuditService;
  events: Events;
  sessions: SessionService;
  clock: Clock;
  passwordMinLength: number;
  /** Issues a set-password invitation in `tx`; the e-mail leaves after the commit. */
  invite(tx: Executor, to: Recipient): Promise<void>;
  /** Tells the previous address that the account's e-mail changed (sent after `tx` commits). */
  emailChanged?(tx: Executor, previous: { email: string; name: string }): Promise<void>;
}

export type CreateSource = 'staff' | 'self_registration';

/** Rows per query when a caller needs every patient (`listAll`). */
const ALL_CHUNK = 1000;

export class PatientsService {
  /** Edits of a record; the legacy listener calls `edits.updateOwnContact` directly. */
  readonly edits: PatientEdits;

  constructor(private readonly d: PatientsDeps) {
    this.edits = new PatientEdits(d);
  }

  private async auditRead(
    origin: AuditOrigin,
    id: number,
    patientId: number | null,
    outcome: AuditOutcome,
    details: Record<string, unknown>,
  ) {
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'patients.read',
      resourceType: 'patient',
      resourceId: id,
      patientId,
      outcome,
      details,
    });
  }

  async list(origin: AuditOrigin, query: ListQuery) {
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 20;
    const sort = query.sort ?? 'surname';
    const filters = { q: query.q, blocked: query.blocked };
    const { rows, total } = await repo.listPatients(this.d.db, filters, sort, perPage, (page - 1) * perPage);
    // One row per list read: filter *names* (a search term may be a name or a DNI), ids returned.
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'patients.list',
      resourceType: 'patient',
      outcome: 'success',
      details: {
        filters: Object.keys(filters).filter((k) => filters[k as keyof typeof filters] !== undefined),
        page,
        perPage,
        sort,
        returned: rows.length,
        total,
        patientIds: rows.map((r) => r.id),
      },
    });
    return { data: rows.map(toPatient), total };
  }

  /**
   * Every patient, by id, for the legacy back-office's unpaginated `GET /users/` (legacy-compat.md
   * §B). Read in keyset chunks so no single query is unbounded; audited as one list read naming
   * the ids returned, like a `/v1` page. The cost grows with the clinic: one row per patient.
   */
  async listAll(origin: AuditOrigin, via = 'legacy'): Promise<Patient[]> {
    const out: Patient[] = [];
    let after = 0;
    for (;;) {
      const rows = await repo.listPatientsAfter(this.d.db, after, ALL_CHUNK);
      out.push(...rows.map(toPatient));
      if (rows.length < ALL_CHUNK) break;
      after = (rows.at(-1) as repo.PatientRow).id;
    }
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'patients.list',
      resourceType: 'patient',
      outcome: 'success',
      details: { via, all: true, returned: out.length, patientIds: out.map((p) => p.id) },
    });
    return out;
  }

  /**
   * One patient. A caller who may not see it gets 404 whether or not it exists (a patient asking
   * for someone else), and the attempt is audited as denied.
   */
  async read(actor: Actor, origin: AuditOrigin, id: number, via = 'patients'): Promise<Patient> {
    const row = await repo.findPatient(this.d.db, id);
    if (!canReadPatient(actor, id, row !== null)) {
      const denied = row !== null || actor.kind !== 'staff';
      await this.auditRead(origin, id, row ? id : null, denied ? 'denied' : 'failure', {
        reason: row ? 'not_permitted' : 'not_found',
        via,
      });
      throw new NotFoundError('patient');
    }
    await this.auditRead(origin, id, id, 'success', { via });
    return toPatient(row as repo.PatientRow);
  }

  /**
   * `options.blocked` creates the account already blocked, in the same transaction (the legacy
   * back-office's UserSignUp carries `blocked`); a blocked account has no session to revoke yet.
   */
  async create(
    origin: AuditOrigin,
    input: CreatePatientBody,
    source: CreateSource,
    options: { blocked?: boolean } = {},
  ): Promise<Patient> {
    checkProfile(input, this.d.clock.now().getTime());
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password, {
        kind: 'patient',
        minLength: this.d.passwordMinLength,
        identifiers: [input.dni, input.email],
      });
      if (problem) throw new ValidationError({ 'body.password': problem }, 'The password is not acceptable.');
    }
    // Hash before the transaction: argon2 takes tens of ms and the embedded database has one connection.
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const now = this.d.clock.now();
    try {
      return await withTransaction(this.d.db, async (tx) => {
        const taken = await repo.findConflict(tx, input);
        if (taken) throw new DuplicateError(taken);
        const row = await repo.insertPatient(tx, {
          dni: input.dni,
          email: input.email,
          name: input.name,
          surname: input.surname,
          hospitalAccount: input.hospitalAccount ?? null,
          birthDate: input.birthDate ?? null,
          diabetesType: input.diabetesType ?? null,
          glucoseUnit: input.glucoseUnit ?? 'mg/dL',
          targetLowMgDl: input.targetLowMgDl ?? 70,
          targetHighMgDl: input.targetHighMgDl ?? 180,
          timezone: input.timezone ?? DEFAULT_TIMEZONE,
          tidepoolId: input.tidepoolId ?? null,
          blocked: options.blocked ?? false,
          createdAt: now,
          updatedAt: now,
        });
        const credential = await insertCredential(tx, { patientId: row.id }, passwordHash, now);
        if (!passwordHash) await this.d.invite(tx, { credentialId: credential.id, email: row.email, name: row.name });
        await this.d.audit.record(tx, {
          ...origin,
          action: 'patients.create',
          resourceType: 'patient',
          resourceId: row.id,
          patientId: row.id,
          outcome: 'success',
          details: {
            source,
            fields: PROFILE_KEYS.filter((k) => input[k] !== undefined),
            passwordSet: passwordHash !== null,
            invited: passwordHash === null,
            ...(options.blocked ? { blocked: true } : {}),
          },
        });
        await this.d.events.publishAfterCommit(tx, 'patients', 'created', { patientId: row.id });
        return toPatient(row);
      });
    } catch (err) {
      rethrowPatientConflict(err);
    }
  }

  /** Staff edit of a patient record (`PATCH /v1/patients/:id`); see patients.edits.ts. */
  update(actor: Actor, origin: AuditOrigin, id: number, patch: UpdatePatientBody): Promise<Patient> {
    return this.edits.update(actor, origin, id, patch);
  }

  /** A patient's own preferences (`PATCH /v1/me`). */
  updatePreferences(actor: Actor, origin: AuditOrigin, patch: PreferencesBody): Promise<Patient> {
    return this.edits.updatePreferences(actor, origin, patch);
  }

  /**
   * Blocks or unblocks a patient. Blocking revokes every session of the patient in the same
   * transaction, so their tokens stop working as soon as it commits (RT-7, JW-8).
   */
  async setBlocked(actor: Actor, origin: AuditOrigin, id: number, blocked: boolean): Promise<Patient> {
    const action = blocked ? 'patients.block' : 'patients.unblock';
    const exists = await repo.patientExists(this.d.db, id);
    if (!canWritePatient(actor, id, exists)) {
      await this.d.audit.record(this.d.db, {
        ...origin,
        action,
        resourceType: 'patient',
        resourceId: id,
        outcome: 'failure',
        details: { reason: 'not_found' },
      });
      throw new NotFoundError('patient');
    }
    return withTransaction(this.d.db, async (tx) => {
      const current = await repo.lockPatient(tx, id);
      if (!current) throw new NotFoundError('patient');
      const row = await repo.updatePatient(tx, id, { blocked, updatedAt: this.d.clock.now() });
      let revoked = 0;
      const credentialId = await repo.credentialIdOfPatient(tx, id);
      if (blocked && credentialId !== null) {
        revoked = await this.d.sessions.revokeAll(tx, credentialId, 'blocked', origin);
      }
      await this.d.audit.record(
        tx,
        patientRecordEntry(origin, action, id, { changed: current.blocked !== blocked, revokedSessions: revoked }),
      );
      await this.d.events.publishAfterCommit(tx, 'patients', blocked ? 'blocked' : 'unblocked', { patientId: id });
      return toPatient(row);
    });
  }
}
