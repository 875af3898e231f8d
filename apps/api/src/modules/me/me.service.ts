/**
 * The caller's own profile. Patients: their patient record (the read is audited like any other
 * read of a patient record) and their preferences; staff: their account and their display name.
 */
import type { Actor } from '../../lib/authorization.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { AuditOrigin } from '../audit/audit.service.js';
import type { PatientsService } from '../patients/patients.service.js';
import type { StaffService } from '../staff/staff.service.js';
import { type Me, type MeBody, PATIENT_FIELDS, STAFF_FIELDS } from './me.schema.js';

function refuseFields(body: MeBody, allowed: readonly string[]): void {
  const errors: Record<string, string> = {};
  for (const key of Object.keys(body)) if (!allowed.includes(key)) errors[`body.${key}`] = 'is not an allowed field';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

export class MeService {
  constructor(
    private readonly patients: PatientsService,
    private readonly staff: StaffService,
  ) {}

  private async staffMe(id: number): Promise<Me> {
    const s = await this.staff.read(id);
    return {
      kind: 'staff',
      id: s.id,
      username: s.username,
      email: s.email,
      name: s.name,
      roles: s.roles,
      mfaEnabled: s.mfaEnabled,
    };
  }

  async get(actor: Actor, origin: AuditOrigin): Promise<Me> {
    if (actor.kind === 'patient') {
      return { kind: 'patient', ...(await this.patients.read(actor, origin, actor.id, 'me')) };
    }
    if (actor.kind === 'staff') return this.staffMe(actor.id);
    throw new NotFoundError('profile');
  }

  async update(actor: Actor, origin: AuditOrigin, body: MeBody): Promise<Me> {
    if (actor.kind === 'patient') {
      refuseFields(body, PATIENT_FIELDS);
      return { kind: 'patient', ...(await this.patients.updatePreferences(actor, origin, body)) };
    }
    if (actor.kind === 'staff') {
      refuseFields(body, STAFF_FIELDS);
      await this.staff.updateSelf(actor, origin, { name: body.name as string });
      return this.staffMe(actor.id);
    }
    throw new NotFoundError('profile');
  }
}
