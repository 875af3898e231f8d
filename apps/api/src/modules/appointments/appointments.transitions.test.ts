/**
 * Every transition over HTTP from every state (legal ones move the request, illegal ones are 409
 * and change nothing), and racing transitions: exactly one wins, the others get 409
 * stale_transition, and history and audit agree with what happened (security.md IV-8, BF-2).
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  DETAILS,
  type FixtureState,
  patientToken,
  RESOLUTION,
  requestIn,
  staffToken,
} from '../../../test/access-matrix/consultations.js';
import { transitionsInOrder } from '../../../test/fixtures/queue.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, queueRequests } from '../../db/schema/index.js';

const api = useTestApp();

const STATES: FixtureState[] = ['pending', 'accepted', 'denied', 'created', 'resolved', 'cancelled', 'closed'];

async function requestRow(id: number) {
  const [row] = await api.db.db.select().from(queueRequests).where(eq(queueRequests.id, id));
  if (!row) throw new Error('request missing');
  return row;
}
const transitionsOf = (id: number) => transitionsInOrder(api.db, id);

async function staffPost(url: string, role: 'clinician' | 'assistant' | 'admin' = 'clinician', payload?: object) {
  return api.app.inject({
    method: 'POST',
    url,
    headers: await staffToken(api.app, api.db, role),
    ...(payload ? { payload } : {}),
  });
}
async function patientPost(patientId: number, url: string, payload?: object) {
  return api.app.inject({
    method: 'POST',
    url,
    headers: await patientToken(api.app, patientId),
    ...(payload ? { payload } : {}),
  });
}

describe('accept, deny and cancel from every state', () => {
  const verbs = [
    ['accept', 'accepted'],
    ['deny', 'denied'],
    ['cancel', 'cancelled'],
  ] as const;
  for (const from of STATES) {
    for (const [verb, to] of verbs) {
      const legal = from === 'pending';
      it(`${verb} from ${from}: ${legal ? `moves to ${to}` : '409 stale_transition, nothing changes'}`, async () => {
        const f = await requestIn(api.app, api.db, from);
        const before = await requestRow(f.requestId);
        const url = `/v1/queue/requests/${f.requestId}/${verb}`;
        const res = verb === 'cancel' ? await patientPost(f.patientId, url) : await staffPost(url);
        const after = await requestRow(f.requestId);
        if (legal) {
          expect(res.statusCode, res.body).toBe(200);
          expect(res.json()).toMatchObject({ state: to, version: before.version + 1 });
          expect(after.state).toBe(to);
          const last = (await transitionsOf(f.requestId)).at(-1);
          expect(last).toMatchObject({ fromState: 'pending', toState: to });
        } else {
          expect(res.statusCode, res.body).toBe(409);
          expect(res.json().code).toBe('stale_transition');
          expect(res.json().detail).toContain(from);
          expect(after).toEqual(before);
        }
      });
    }
  }
});

describe('treatment details (accepted → created) from every state', () => {
  for (const from of STATES) {
    const legal = from === 'accepted';
    it(`details from ${from}: ${legal ? 'moves to created' : '409 request_not_accepted'}`, async () => {
      const f = await requestIn(api.app, api.db, from);
      const before = await requestRow(f.requestId);
      const res = await patientPost(f.patientId, '/v1/appointments', DETAILS);
      if (legal) {
        expect(res.statusCode, res.body).toBe(201);
        expect((await requestRow(f.requestId)).state).toBe('created');
      } else {
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json().code).toBe('request_not_accepted');
        expect(await requestRow(f.requestId)).toEqual(before);
      }
    });
  }
});

describe('resolution (created → resolved)', () => {
  it('the first resolution moves created to resolved', async () => {
    const f = await requestIn(api.app, api.db, 'created');
    const res = await staffPost(`/v1/appointments/${f.appointmentId}/resolution`, 'clinician', RESOLUTION);
    expect(res.statusCode, res.body).toBe(201);
    expect((await requestRow(f.requestId)).state).toBe('resolved');
  });

  it('a resolved appointment takes only a correction (409 resolution_exists otherwise)', async () => {
    const f = await requestIn(api.app, api.db, 'resolved');
    const res = await staffPost(`/v1/appointments/${f.appointmentId}/resolution`, 'clinician', RESOLUTION);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('resolution_exists');
  });

  it('an appointment whose request a reset closed can still be answered; the request stays closed', async () => {
    const f = await requestIn(api.app, api.db, 'closed');
    const res = await staffPost(`/v1/appointments/${f.appointmentId}/resolution`, 'clinician', RESOLUTION);
    expect(res.statusCode, res.body).toBe(201);
    expect((await requestRow(f.requestId)).state).toBe('closed');
  });
});

describe('racing transitions', () => {
  it('two staff deciding the same request at once: one succeeds, the other gets 409 stale_transition', async () => {
    for (let round = 0; round < 5; round++) {
      const f = await requestIn(api.app, api.db, 'pending');
      const [a, b] = await Promise.all([
        staffPost(`/v1/queue/requests/${f.requestId}/accept`, 'clinician'),
        staffPost(`/v1/queue/requests/${f.requestId}/deny`, 'assistant'),
      ]);
      const codes = [a.statusCode, b.statusCode].sort();
      expect(codes).toEqual([200, 409]);
      const loser = a.statusCode === 409 ? a : b;
      expect(loser.json().code).toBe('stale_transition');
      const winner = a.statusCode === 200 ? 'accepted' : 'denied';
      expect((await requestRow(f.requestId)).state).toBe(winner);
      const decisions = (await transitionsOf(f.requestId)).filter((t) => t.fromState === 'pending');
      expect(decisions).toHaveLength(1);
      expect(decisions[0]?.toState).toBe(winner);
    }
  });

  it('eight concurrent accept/deny/cancel on one request: exactly one wins and the audit trail matches', async () => {
    const f = await requestIn(api.app, api.db, 'pending');
    const url = (verb: string) => `/v1/queue/requests/${f.requestId}/${verb}`;
    const results = await Promise.all([
      staffPost(url('accept'), 'clinician'),
      staffPost(url('deny'), 'assistant'),
      staffPost(url('accept'), 'assistant'),
      staffPost(url('deny'), 'clinician'),
      patientPost(f.patientId, url('cancel')),
      staffPost(url('accept'), 'clinician'),
      patientPost(f.patientId, url('cancel')),
      staffPost(url('deny'), 'assistant'),
    ]);
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    const row = await requestRow(f.requestId);
    expect(['accepted', 'denied', 'cancelled']).toContain(row.state);
    expect(row.version).toBe(2);
    const audits = (
      await api.db.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.resourceId, String(f.requestId)))
    ).filter((r) => r.resourceType === 'queue_request' && r.action !== 'queue.requests.submit');
    expect(audits.filter((r) => r.outcome === 'success')).toHaveLength(1);
    expect(
      audits.filter((r) => r.outcome === 'failure' && (r.details as { reason?: string }).reason === 'stale_transition'),
    ).toHaveLength(7);
  });

  it('an accept racing the day reset: either order ends closed, and the history shows the order', async () => {
    for (let round = 0; round < 3; round++) {
      const f = await requestIn(api.app, api.db, 'pending');
      const [accept, reset] = await Promise.all([
        staffPost(`/v1/queue/requests/${f.requestId}/accept`, 'clinician'),
        staffPost('/v1/queue/reset', 'admin'),
      ]);
      expect(reset.statusCode).toBe(200);
      expect([200, 409]).toContain(accept.statusCode);
      expect((await requestRow(f.requestId)).state).toBe('closed');
      const path = (await transitionsOf(f.requestId)).map((t) => t.toState);
      expect(path).toEqual(accept.statusCode === 200 ? ['pending', 'accepted', 'closed'] : ['pending', 'closed']);
    }
  });

  it('a decision based on an old version is refused even while the state still matches', async () => {
    const f = await requestIn(api.app, api.db, 'pending');
    const res = await staffPost(`/v1/queue/requests/${f.requestId}/accept`, 'clinician', { expectedVersion: 7 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('stale_transition');
    const ok = await staffPost(`/v1/queue/requests/${f.requestId}/accept`, 'clinician', { expectedVersion: 1 });
    expect(ok.statusCode).toBe(200);
  });

  it('a patient sending details twice at once creates one appointment', async () => {
    const f = await requestIn(api.app, api.db, 'accepted');
    const results = await Promise.all([1, 2, 3].map(() => patientPost(f.patientId, '/v1/appointments', DETAILS)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect((await requestRow(f.requestId)).state).toBe('created');
  });

  it('the decision records who decided and why, in the request and its history', async () => {
    const f = await requestIn(api.app, api.db, 'pending');
    const res = await staffPost(`/v1/queue/requests/${f.requestId}/deny`, 'assistant', { reason: 'Agenda completa' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      state: 'denied',
      decidedBy: expect.any(Number),
      decisionReason: 'Agenda completa',
    });
    expect((await transitionsOf(f.requestId)).at(-1)).toMatchObject({
      fromState: 'pending',
      toState: 'denied',
      actorRole: 'assistant',
      reason: 'Agenda completa',
    });
    const missing = await staffPost('/v1/queue/requests/999999/accept');
    expect(missing.statusCode).toBe(404);
  });
});
