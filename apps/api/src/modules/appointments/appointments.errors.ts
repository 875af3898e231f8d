/**
 * Errors of the consultation workflow. The 409 `code`s are part of the API (api.md): clients
 * switch on them. `detail` never names another patient or any clinical value.
 */
import { ConflictError } from '../../lib/errors.js';
import { uniqueViolation } from '../patients/patients.errors.js';
import type { RequestState } from './appointments.states.js';

export class QueueClosedError extends ConflictError {
  constructor() {
    super('queue_closed', 'The consultation queue is not open.');
  }
}

export class QueueFullError extends ConflictError {
  constructor() {
    super('queue_full', 'The consultation queue is full; try again later.');
  }
}

export class RequestActiveError extends ConflictError {
  constructor(state?: RequestState) {
    super(
      'request_active',
      state === 'denied' || state === 'resolved'
        ? `You already had a consultation today (${state}); a new request is possible after the day is closed.`
        : 'You already have a consultation request in progress.',
    );
  }
}

/** The request is no longer in a state the transition starts from (someone else moved it first). */
export class StaleTransitionError extends ConflictError {
  constructor(
    readonly current: RequestState,
    action: string,
  ) {
    super('stale_transition', `The request is ${current}; it cannot be ${action} now.`);
  }
}

export class RequestNotAcceptedError extends ConflictError {
  constructor(state: RequestState | 'none') {
    super(
      'request_not_accepted',
      state === 'none'
        ? 'You have no accepted consultation request.'
        : `Your consultation request is ${state}; details can be sent once it is accepted.`,
    );
  }
}

export class ResolutionExistsError extends ConflictError {
  constructor(latest: number) {
    super(
      'resolution_exists',
      `This appointment already has a resolution (revision ${latest}); send revises: ${latest} with a correctionReason to correct it.`,
    );
  }
}

export class StaleRevisionError extends ConflictError {
  constructor(latest: number | null) {
    super(
      'stale_revision',
      latest === null
        ? 'This appointment has no resolution to correct yet.'
        : `The latest resolution is revision ${latest}; review it before correcting.`,
    );
  }
}

/** A unique violation that means "the patient already has a current request" → 409 request_active. */
export function isCurrentRequestConflict(err: unknown): boolean {
  return uniqueViolation(err) === 'queue_requests_current_patient_uq';
}

/** Two writes of the same revision or the same appointment raced: the loser is stale. */
export function isRaceConflict(err: unknown): boolean {
  const constraint = uniqueViolation(err);
  return constraint === 'appointment_resolutions_revision_uq' || constraint === 'appointments_request_id_unique';
}
