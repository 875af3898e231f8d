/**
 * Errors of the patients module, and the mapping of PostgreSQL unique violations (23505) onto the
 * request field that caused them. The query builder wraps driver errors, so the cause chain is walked.
 */
import { AppError } from '../../lib/errors.js';

/** The constraint name of a unique violation anywhere in `err`'s cause chain, or null. */
export function uniqueViolation(err: unknown, depth = 0): string | null {
  if (!err || typeof err !== 'object' || depth > 5) return null;
  const e = err as { code?: unknown; constraint?: unknown; cause?: unknown };
  if (e.code === '23505') return typeof e.constraint === 'string' ? e.constraint : '';
  return uniqueViolation(e.cause, depth + 1);
}

const LABEL: Record<string, string> = {
  dni: 'DNI',
  email: 'e-mail',
  hospitalAccount: 'hospital account',
  username: 'username',
};

/** 409 naming the field (never its value). */
export class DuplicateError extends AppError {
  constructor(
    readonly field: string,
    resource = 'patient',
  ) {
    super(409, 'duplicate', 'Conflict', `Another ${resource} already has this ${LABEL[field] ?? field}.`, {
      errors: { [`body.${field}`]: 'is already in use' },
    });
  }
}

const PATIENT_CONSTRAINTS: Record<string, string> = {
  patients_dni_unique: 'dni',
  patients_email_unique: 'email',
  patients_hospital_account_unique: 'hospitalAccount',
};

/** Rethrows a unique violation on a patient column as a 409 naming the field; anything else as is. */
export function rethrowPatientConflict(err: unknown): never {
  const constraint = uniqueViolation(err);
  const field = constraint === null ? undefined : PATIENT_CONSTRAINTS[constraint];
  if (field) throw new DuplicateError(field);
  throw err;
}
