/**
 * The consultation request state machine (README.md has the diagram) and its projection onto the
 * legacy queue states (legacy-compat.md A.6, E.17). Pure: services and the future legacy adapter
 * both ask here, so the rules live in one place.
 */
import { ACTIVE_REQUEST_STATES, REQUEST_STATES } from '../../db/schema/consultations.js';

export type RequestState = (typeof REQUEST_STATES)[number];
export type Transition = 'accept' | 'deny' | 'cancel' | 'create' | 'resolve' | 'close';

/** Every legal move: submitting creates a request in `pending`; nothing else leads anywhere. */
export const TRANSITIONS: Record<Transition, { readonly from: readonly RequestState[]; readonly to: RequestState }> = {
  accept: { from: ['pending'], to: 'accepted' },
  deny: { from: ['pending'], to: 'denied' },
  cancel: { from: ['pending'], to: 'cancelled' },
  create: { from: ['accepted'], to: 'created' },
  resolve: { from: ['created'], to: 'resolved' },
  close: { from: ACTIVE_REQUEST_STATES, to: 'closed' },
};

export const STATES: readonly RequestState[] = REQUEST_STATES;

export function canTransition(from: RequestState, transition: Transition): boolean {
  return TRANSITIONS[transition].from.includes(from);
}

/** Counts against the capacity and is closed by a day reset. */
export function isActive(state: RequestState): boolean {
  return (ACTIVE_REQUEST_STATES as readonly string[]).includes(state);
}

/** No transition leaves these states. */
export function isTerminal(state: RequestState): boolean {
  return !Object.values(TRANSITIONS).some((t) => t.from.includes(state));
}

export type LegacyState = 'NONE' | 'PENDING' | 'ACCEPTED' | 'DENIED' | 'CREATED';

/**
 * The legacy `GET /appointments/state` value of a patient's current request (the one not yet
 * released by a cancel or a day reset), or NONE without one. A resolution keeps CREATED.
 */
export function legacyStateOf(current: { state: RequestState } | null): LegacyState {
  if (!current) return 'NONE';
  switch (current.state) {
    case 'pending':
      return 'PENDING';
    case 'accepted':
      return 'ACCEPTED';
    case 'denied':
      return 'DENIED';
    case 'created':
    case 'resolved':
      return 'CREATED';
    default:
      // cancelled and closed requests are released, so they are never "current".
      return 'NONE';
  }
}

/** The legacy `GET /appointments/placement` value: the stored placement while pending, else −1. */
export function legacyPlacementOf(current: { state: RequestState; placement: number } | null): number {
  return current?.state === 'pending' ? current.placement : -1;
}
