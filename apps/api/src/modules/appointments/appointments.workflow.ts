/**
 * What every request transition shares, whichever service performs it: the state-machine check,
 * the optimistic-concurrency update, the history row, and the patient's e-mail after commit.
 * Transport-free; the services add their own audit rows and events.
 */
import type { Database, Executor } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { ValidationError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import type { MailMessage } from '../notifications/mailer.js';
import { StaleTransitionError } from './appointments.errors.js';
import * as repo from './appointments.queue.repository.js';
import { type RequestState, TRANSITIONS, type Transition } from './appointments.states.js';

export interface WorkflowDeps {
  db: Database;
  audit: AuditService;
  events: Events;
  clock: Clock;
  /** Queues `message` to go out once `tx` commits (never delays or fails the response). */
  mail(tx: Executor, message: MailMessage, what: string): Promise<void>;
}

export const PAST: Record<Transition, string> = {
  accept: 'accepted',
  deny: 'denied',
  cancel: 'cancelled',
  create: 'given details',
  resolve: 'resolved',
  close: 'closed',
};

/** Who performs a transition, as the history table stores it. */
export interface Mover {
  role: 'patient' | 'clinician' | 'assistant' | 'admin' | 'system';
  staffId: number | null;
  patientId: number | null;
}

export function moverOf(origin: AuditOrigin): Mover {
  const { id, role } = origin.actor;
  if (role === 'patient') return { role, staffId: null, patientId: id };
  if (role === 'clinician' || role === 'assistant' || role === 'admin') return { role, staffId: id, patientId: null };
  return { role: 'system', staffId: null, patientId: null };
}

export interface MoveOptions {
  /** The version the caller saw; default the one just read (plain compare-and-set on the state). */
  expectedVersion?: number | undefined;
  reason?: string | null | undefined;
  changes?: Partial<repo.NewRequest>;
}

/**
 * Applies `transition` to `request` inside `tx`, or throws 409 `stale_transition` when the state
 * machine does not allow it from the state the request is in *now* (someone else moved it).
 */
export async function move(
  tx: Executor,
  request: repo.RequestRow,
  transition: Transition,
  mover: Mover,
  at: Date,
  options: MoveOptions = {},
): Promise<repo.RequestRow> {
  const rule = TRANSITIONS[transition];
  const state = request.state as RequestState;
  if (!rule.from.includes(state)) throw new StaleTransitionError(state, PAST[transition]);
  const moved = await repo.moveIf(tx, request.id, rule.from, options.expectedVersion ?? request.version, {
    ...options.changes,
    state: rule.to,
    updatedAt: at,
  });
  if (!moved) {
    const now = await repo.findRequest(tx, request.id);
    throw new StaleTransitionError((now?.state ?? state) as RequestState, PAST[transition]);
  }
  await repo.insertTransitions(tx, [
    {
      requestId: request.id,
      fromState: state,
      toState: rule.to,
      actorRole: mover.role,
      actorStaffId: mover.staffId,
      actorPatientId: mover.patientId,
      reason: options.reason ?? null,
      createdAt: at,
      updatedAt: at,
    },
  ]);
  return moved;
}

/** E-mails the patient after `tx` commits; the text never carries clinical content. */
export async function notifyPatient(
  deps: WorkflowDeps,
  tx: Executor,
  patientId: number,
  build: (name: string) => Omit<MailMessage, 'to'>,
  what: string,
): Promise<void> {
  const contact = await repo.patientContact(tx, patientId);
  if (!contact) return;
  await deps.mail(tx, { to: contact.email, ...build(contact.name) }, what);
}

/** `otherMotive` goes with OTRO and only with it (the legacy app sends "" otherwise). */
export function checkMotive(motive: readonly string[] | undefined, otherMotive: string | null | undefined): void {
  const other = otherMotive?.trim() ? otherMotive : null;
  if (motive?.includes('OTRO') && !other) {
    throw new ValidationError({ 'body.otherMotive': 'is required when the motive includes OTRO' });
  }
  if (other && !motive?.includes('OTRO')) {
    throw new ValidationError({ 'body.otherMotive': 'is only accepted with the motive OTRO' });
  }
}
