/**
 * Record-level authorization (security.md AZ-2, AZ-3, AZ-9): the route policy (plugins/auth.ts)
 * decides who may call a route; these checks decide which records the caller may reach.
 *
 * - A patient reaches only their own record. Anyone else's, existing or not, is "not found":
 *   a 403 would confirm that the id exists (AZ-2; the legacy app also logs out on any 403).
 * - Staff reach the patients of their clinic. There is one clinic per deployment today and no
 *   clinic column yet, so every existing patient is in the caller's clinic; the multi-clinic step
 *   adds the comparison in `sameClinic` and nowhere else.
 * - Devices never read patient records (they only write readings for the patient they were issued for).
 *
 * Pure functions: the caller loads what it needs, checks, and audits the refusal (LG-3).
 */
import { NotFoundError } from './errors.js';

export type StaffRole = 'clinician' | 'assistant' | 'admin';
export const STAFF_ROLES: readonly StaffRole[] = ['clinician', 'assistant', 'admin'];

/** Who is acting: the shape of `request.principal` (kept structural so services need no Fastify type). */
export interface Actor {
  kind: 'patient' | 'staff' | 'device';
  id: number;
  roles: readonly string[];
}

export function isStaff(actor: Actor): boolean {
  return actor.kind === 'staff' && actor.roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r));
}

export function hasAnyRole(actor: Actor, roles: readonly string[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

/**
 * Whether a staff member and a patient belong to the same clinic. Single clinic today: always
 * true for an existing patient. Takes both records so the later multi-clinic step is one line.
 */
function sameClinic(_actor: Actor, _patient: { id: number }): boolean {
  return true;
}

/** The patient the caller is, when the caller is a patient. */
export function selfPatientId(actor: Actor): number | null {
  return actor.kind === 'patient' ? actor.id : null;
}

/**
 * May `actor` read the patient `patientId`? `exists` says whether that patient exists; a caller
 * who may not learn that gets the same answer either way.
 */
export function canReadPatient(actor: Actor, patientId: number, exists: boolean): boolean {
  if (!exists) return false;
  if (actor.kind === 'patient') return actor.id === patientId;
  if (isStaff(actor)) return sameClinic(actor, { id: patientId });
  return false;
}

/** Staff who may change a patient's record (route gates narrow this further per action). */
export function canWritePatient(actor: Actor, patientId: number, exists: boolean): boolean {
  if (!exists) return false;
  return isStaff(actor) && sameClinic(actor, { id: patientId });
}

/** Throws 404 unless `actor` may read the patient. */
export function assertCanReadPatient(actor: Actor, patientId: number, exists: boolean): void {
  if (!canReadPatient(actor, patientId, exists)) throw new NotFoundError('patient');
}

/** Throws 404 unless `actor` may change the patient. */
export function assertCanWritePatient(actor: Actor, patientId: number, exists: boolean): void {
  if (!canWritePatient(actor, patientId, exists)) throw new NotFoundError('patient');
}
