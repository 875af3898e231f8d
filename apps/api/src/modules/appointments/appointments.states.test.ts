/** The request state machine and its legacy projection, as pure rules (README.md diagram). */
import { describe, expect, it } from 'vitest';
import {
  canTransition,
  isActive,
  isTerminal,
  legacyPlacementOf,
  legacyStateOf,
  type RequestState,
  STATES,
  type Transition,
} from './appointments.states.js';

/** Every legal (from, transition) pair; everything else must be refused. */
const LEGAL: Record<string, RequestState> = {
  'pending accept': 'accepted',
  'pending deny': 'denied',
  'pending cancel': 'cancelled',
  'accepted create': 'created',
  'created resolve': 'resolved',
  'pending close': 'closed',
  'accepted close': 'closed',
  'created close': 'closed',
};
const TRANSITIONS: Transition[] = ['accept', 'deny', 'cancel', 'create', 'resolve', 'close'];

describe('state machine', () => {
  for (const from of STATES) {
    for (const t of TRANSITIONS) {
      const legal = `${from} ${t}` in LEGAL;
      it(`${from} --${t}--> ${legal ? LEGAL[`${from} ${t}`] : 'refused'}`, () => {
        expect(canTransition(from, t)).toBe(legal);
      });
    }
  }

  it('active = pending, accepted, created; terminal = denied, resolved, cancelled, closed', () => {
    expect(STATES.filter(isActive)).toEqual(['pending', 'accepted', 'created']);
    expect(STATES.filter(isTerminal).sort()).toEqual(['cancelled', 'closed', 'denied', 'resolved']);
  });
});

describe('legacy projection (legacy-compat.md A.6, E.17)', () => {
  it.each([
    [null, 'NONE', -1],
    [{ state: 'pending' as const, placement: 3 }, 'PENDING', 3],
    [{ state: 'accepted' as const, placement: 3 }, 'ACCEPTED', -1],
    [{ state: 'denied' as const, placement: 3 }, 'DENIED', -1],
    [{ state: 'created' as const, placement: 3 }, 'CREATED', -1],
    // A resolution keeps CREATED for the mobile app.
    [{ state: 'resolved' as const, placement: 3 }, 'CREATED', -1],
  ])('%j → %s, placement %i', (current, state, placement) => {
    expect(legacyStateOf(current)).toBe(state);
    expect(legacyPlacementOf(current)).toBe(placement);
  });
});
