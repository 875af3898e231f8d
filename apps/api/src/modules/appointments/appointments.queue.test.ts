/**
 * The consultation queue over HTTP: settings, submit (capacity counts active requests, never a
 * placement), live positions with stable placements, cancel, the day reset, and the back-office
 * lists. Audit rows and events are checked where the issue asks for them.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openQueue, patientToken, RESOLUTION, requestIn } from '../../../test/access-matrix/consultations.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { appointmentResolutions, appointments, queueRequests } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import type { DomainEvent } from '../../lib/event-bus.js';

const clock = new ManualClock('2026-01-15T12:00:00.000Z');
const events: DomainEvent[] = [];

const api = useTestApp({ clock });

beforeAll(async () => {
  api.app.events.bus.subscribe((e) => events.push(e));
});

const newPatient = async (name = 'Ana') => (await createPatient(api.db.db, { password: null, name })).id;
const submit = (patientId: number, body: object = {}) => api.call(patientId, 'POST', '/v1/queue/requests', body);
const stateOf = async (id: number) =>
  (await api.db.db.select().from(queueRequests).where(eq(queueRequests.id, id)))[0]?.state;
const newDay = async () => {
  expect((await api.call('admin', 'POST', '/v1/queue/reset')).statusCode).toBe(200);
  await openQueue(api.app, api.db, 15);
};

describe('queue settings', () => {
  beforeEach(newDay);

  it('GET /v1/queue shows open, capacity and the active and pending counts', async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    await submit(a);
    const second = await submit(b);
    await api.call('assistant', 'POST', `/v1/queue/requests/${second.json().id}/accept`);
    const res = await api.call(a, 'GET', '/v1/queue');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ open: true, capacity: 15, active: 2, pending: 1 });
    expect(res.json().schedule).toMatchObject({ configured: false, withinHours: null, autoResetAt: null });
  });

  it('PATCH opens, closes and resizes the queue, audited with before and after, evented', async () => {
    const res = await api.call('assistant', 'PATCH', '/v1/queue', { open: false, capacity: 40 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ open: false, capacity: 40 });
    const [row] = await api.auditOf(res);
    expect(row).toMatchObject({ action: 'queue.update', outcome: 'success', actorRole: 'assistant' });
    expect(row?.details).toMatchObject({ changed: ['open', 'capacity'], capacity: { from: 15, to: 40 } });
    expect(events.some((e) => e.topic === 'queue' && e.type === 'updated')).toBe(true);
    for (const body of [{}, { capacity: -1 }, { capacity: 10_001 }, { open: 'yes' }, { size: 3 }]) {
      expect((await api.call('admin', 'PATCH', '/v1/queue', body)).statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await api.call('clinician', 'PATCH', '/v1/queue', { open: true })).statusCode).toBe(403);
  });

  it('a closed queue answers 409 queue_closed and stores nothing', async () => {
    await api.call('admin', 'PATCH', '/v1/queue', { open: false });
    const p = await newPatient();
    const res = await submit(p);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('queue_closed');
    expect(await api.db.db.select().from(queueRequests).where(eq(queueRequests.patientId, p))).toHaveLength(0);
    // A refusal that describes the queue, not the patient, is not an audit event (README).
    expect(await api.auditOf(res)).toHaveLength(0);
  });
});

describe('submitting a request', () => {
  beforeEach(newDay);

  it('the first request of the day gets placement 0 and position 0; the next ones follow in order', async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    const first = await submit(a, { motive: ['HIPOGLUCEMIA', 'OTRO'], otherMotive: 'mareos', note: 'Desde ayer' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({ id: expect.any(Number), state: 'pending', placement: 0, position: 0 });
    // No body at all is a request without motive or note.
    const second = await api.app.inject({
      method: 'POST',
      url: '/v1/queue/requests',
      headers: await patientToken(api.app, b),
    });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ placement: 1, position: 1 });
    const [row] = await api.db.db.select().from(queueRequests).where(eq(queueRequests.id, first.json().id));
    expect(row).toMatchObject({ patientId: a, motive: ['HIPOGLUCEMIA', 'OTRO'], otherMotive: 'mareos', version: 1 });
    const [audit] = await api.auditOf(first);
    expect(audit).toMatchObject({ action: 'queue.requests.submit', patientId: a, outcome: 'success' });
    expect(JSON.stringify(audit?.details)).not.toMatch(/mareos|Desde ayer/);
    expect(events.some((e) => e.type === 'request_submitted' && e.ids.requestId === first.json().id)).toBe(true);
  });

  it('one current request per patient: a second submit is 409 request_active', async () => {
    const p = await newPatient();
    expect((await submit(p)).statusCode).toBe(201);
    const again = await submit(p);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('request_active');
    const [audit] = await api.auditOf(again);
    expect(audit).toMatchObject({ action: 'queue.requests.submit', outcome: 'failure', patientId: p });
    expect(audit?.details).toEqual({ reason: 'request_active' });
  });

  it('a patient who holds a request hears request_active even right after a "full" answer was cached', async () => {
    await openQueue(api.app, api.db, 1);
    const [a, b] = [await newPatient(), await newPatient()];
    expect((await submit(a)).statusCode).toBe(201);
    // B's refusal is remembered for a moment (burst protection); it must not answer for A.
    expect((await submit(b)).json().code).toBe('queue_full');
    const again = await submit(a);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('request_active');
    expect((await submit(b)).json().code).toBe('queue_full');
  });

  it('capacity counts active requests, never a placement: a freed slot admits the next patient', async () => {
    await openQueue(api.app, api.db, 2);
    const [a, b, c] = [await newPatient(), await newPatient(), await newPatient()];
    const ra = (await submit(a)).json();
    await submit(b);
    const full = await submit(c);
    expect(full.statusCode).toBe(409);
    expect(full.json().code).toBe('queue_full');
    // Denying A frees a slot; C gets placement 2, past the capacity: the old bug refused it.
    expect((await api.call('clinician', 'POST', `/v1/queue/requests/${ra.id}/deny`)).statusCode).toBe(200);
    const admitted = await submit(c);
    expect(admitted.statusCode, admitted.body).toBe(201);
    expect(admitted.json()).toMatchObject({ placement: 2, position: 1 });
    expect((await api.call('admin', 'GET', '/v1/queue')).json()).toMatchObject({ capacity: 2, active: 2, pending: 2 });
  });

  it('motive OTRO needs otherMotive, otherMotive needs OTRO, and unknown motives are refused', async () => {
    const p = await newPatient();
    for (const [body, field] of [
      [{ motive: ['OTRO'] }, 'body.otherMotive'],
      [{ motive: ['DUDAS'], otherMotive: 'x' }, 'body.otherMotive'],
      [{ motive: ['GRIPE'] }, 'body.motive/0'],
      [{ motive: ['DUDAS', 'DUDAS'] }, 'body.motive'],
      [{ note: 'a'.repeat(501) }, 'body.note'],
      [{ note: 'línea\u0007' }, 'body.note'],
      [{ patientId: 99 }, 'body.patientId'],
    ] as const) {
      const res = await submit(p, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.json().errors ?? {}).join(), JSON.stringify(body)).toContain(field.split('/')[0]);
    }
    expect(await api.db.db.select().from(queueRequests).where(eq(queueRequests.patientId, p))).toHaveLength(0);
  });
});

describe('positions and the patient view', () => {
  beforeEach(newDay);

  it('the position is live while the placement stays put', async () => {
    const [a, b, c] = [await newPatient(), await newPatient(), await newPatient()];
    const ra = (await submit(a)).json();
    const rb = (await submit(b)).json();
    await submit(c);
    const mine = async (p: number) => (await api.call(p, 'GET', '/v1/me/queue')).json();
    expect(await mine(c)).toMatchObject({ state: 'pending', placement: 2, position: 2, queueOpen: true });
    await api.call('clinician', 'POST', `/v1/queue/requests/${ra.id}/accept`);
    expect(await mine(c)).toMatchObject({ placement: 2, position: 1 });
    expect((await api.call(b, 'POST', `/v1/queue/requests/${rb.id}/cancel`)).statusCode).toBe(200);
    expect(await mine(c)).toMatchObject({ placement: 2, position: 0 });
    expect(await mine(a)).toMatchObject({ state: 'accepted', position: null, placement: null, requestId: ra.id });
  });

  it('without a current request the state is none (and the queue flag tells the app whether to offer one)', async () => {
    const p = await newPatient();
    await api.call('admin', 'PATCH', '/v1/queue', { open: false });
    const res = await api.call(p, 'GET', '/v1/me/queue');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      state: 'none',
      position: null,
      placement: null,
      requestId: null,
      appointmentId: null,
      queueOpen: false,
    });
  });
});

describe('cancelling', () => {
  beforeEach(newDay);

  it('a patient cancels their pending request and may ask again the same day, with a new placement', async () => {
    const p = await newPatient();
    const first = (await submit(p)).json();
    const res = await api.call(p, 'POST', `/v1/queue/requests/${first.id}/cancel`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'cancelled', current: false, position: null });
    const again = await submit(p);
    expect(again.statusCode).toBe(201);
    expect(again.json().placement).toBe(first.placement + 1);
  });

  it("a patient cannot cancel another patient's request (404), nor an accepted one (409 stale_transition)", async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    const ra = (await submit(a)).json();
    const other = await api.call(b, 'POST', `/v1/queue/requests/${ra.id}/cancel`);
    expect(other.statusCode).toBe(404);
    expect((await api.auditOf(other))[0]).toMatchObject({ outcome: 'denied', patientId: a, actorId: b });
    expect(await stateOf(ra.id)).toBe('pending');
    await api.call('clinician', 'POST', `/v1/queue/requests/${ra.id}/accept`);
    const late = await api.call(a, 'POST', `/v1/queue/requests/${ra.id}/cancel`);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('stale_transition');
    expect(await stateOf(ra.id)).toBe('accepted');
  });
});

describe('the day reset', () => {
  beforeEach(newDay);

  it('closes active requests, releases the others, restarts placements and keeps appointments and resolutions', async () => {
    const pending = await requestIn(api.app, api.db, 'pending');
    const accepted = await requestIn(api.app, api.db, 'accepted');
    const created = await requestIn(api.app, api.db, 'created');
    const denied = await requestIn(api.app, api.db, 'denied');
    const resolved = await requestIn(api.app, api.db, 'resolved');
    const before = (await api.call('admin', 'GET', '/v1/queue')).json();

    const res = await api.call('admin', 'POST', '/v1/queue/reset');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ day: before.day + 1, closed: 3, released: 2 });
    for (const f of [pending, accepted, created]) expect(await stateOf(f.requestId)).toBe('closed');
    expect(await stateOf(denied.requestId)).toBe('denied');
    expect(await stateOf(resolved.requestId)).toBe('resolved');
    expect((await api.call('admin', 'GET', '/v1/queue')).json()).toMatchObject({ active: 0, pending: 0 });

    // Who closed it, from what, is in the history.
    const history = (await api.call('clinician', 'GET', `/v1/queue/requests/${accepted.requestId}/history`)).json();
    expect(history.data.map((t: { from: string | null; to: string }) => `${t.from}>${t.to}`)).toEqual([
      'null>pending',
      'pending>accepted',
      'accepted>closed',
    ]);
    expect(history.data[2]).toMatchObject({ actorRole: 'admin', reason: 'day reset' });

    // Appointments and resolutions survive, and everyone may ask again, from placement 0.
    expect(
      await api.db.db
        .select()
        .from(appointments)
        .where(eq(appointments.id, created.appointmentId ?? 0)),
    ).toHaveLength(1);
    expect(
      await api.db.db
        .select()
        .from(appointmentResolutions)
        .where(eq(appointmentResolutions.appointmentId, resolved.appointmentId ?? 0)),
    ).toHaveLength(1);
    const next = await submit(denied.patientId);
    expect(next.statusCode).toBe(201);
    expect(next.json()).toMatchObject({ placement: 0, position: 0 });
    expect((await submit(resolved.patientId)).json().placement).toBe(1);

    const [audit] = await api.auditOf(res);
    expect(audit).toMatchObject({ action: 'queue.reset', outcome: 'success', actorRole: 'admin' });
    expect(audit?.details).toMatchObject({ source: 'manual', closed: 3, released: 2 });
    expect(events.some((e) => e.type === 'request_closed' && e.ids.requestId === pending.requestId)).toBe(true);
  });

  it('denied and resolved requests block a new one until the reset (legacy DENIED/CREATED)', async () => {
    for (const state of ['denied', 'resolved'] as const) {
      const f = await requestIn(api.app, api.db, state);
      const res = await submit(f.patientId);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'request_active' });
      expect((await api.call(f.patientId, 'GET', '/v1/me/queue')).json().state).toBe(state);
    }
  });

  it('only admins end the day', async () => {
    for (const who of ['assistant', 'clinician'] as const) {
      expect((await api.call(who, 'POST', '/v1/queue/reset')).statusCode).toBe(403);
    }
  });
});

describe('back-office lists', () => {
  beforeEach(newDay);

  it('lists requests by state with patient name, placement, position and waiting time', async () => {
    const a = await newPatient('Berta');
    const b = await newPatient('Carlos');
    const ra = (await submit(a)).json();
    clock.advance(5 * 60_000);
    await submit(b, { motive: ['AJUSTE'] });
    clock.advance(5 * 60_000);
    const res = await api.call('clinician', 'GET', '/v1/queue/requests?state=pending');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().total).toBe(2);
    expect(res.json().data).toMatchObject([
      { id: ra.id, patient: { id: a, name: 'Berta' }, placement: 0, position: 0, waitingSeconds: 600 },
      { patient: { id: b, name: 'Carlos' }, placement: 1, position: 1, waitingSeconds: 300, motive: ['AJUSTE'] },
    ]);
    await api.call('assistant', 'POST', `/v1/queue/requests/${ra.id}/accept`);
    clock.advance(60 * 60_000);
    const accepted = (await api.call('admin', 'GET', '/v1/queue/requests?state=accepted')).json();
    // Waiting time stops at the decision.
    expect(accepted.data).toMatchObject([{ id: ra.id, state: 'accepted', waitingSeconds: 600, position: null }]);
    const [audit] = await api.auditOf(res);
    expect(audit).toMatchObject({ action: 'queue.requests.list', outcome: 'success' });
    expect(audit?.details).toMatchObject({ returned: 2, total: 2, requestIds: [ra.id, expect.any(Number)] });
  });

  it('day=all reaches earlier days; page and perPage bound the page and total counts them all', async () => {
    const old = await requestIn(api.app, api.db, 'pending');
    await newDay();
    await submit(await newPatient());
    const current = (await api.call('admin', 'GET', '/v1/queue/requests')).json();
    expect(current.data.map((r: { id: number }) => r.id)).not.toContain(old.requestId);
    const all = (await api.call('admin', 'GET', `/v1/queue/requests?day=all&patientId=${old.patientId}`)).json();
    expect(all.data).toMatchObject([{ id: old.requestId, state: 'closed', current: false }]);
    const paged = (await api.call('admin', 'GET', '/v1/queue/requests?day=all&perPage=1&page=2')).json();
    expect(paged.data).toHaveLength(1);
    expect(paged.total).toBeGreaterThan(1);
    for (const q of ['state=waiting', 'perPage=101', 'day=yesterday', 'page=0']) {
      expect((await api.call('admin', 'GET', `/v1/queue/requests?${q}`)).statusCode, q).toBe(400);
    }
  });

  it('an emergency-care resolution is flagged on the request and the appointment', async () => {
    const f = await requestIn(api.app, api.db, 'created');
    await api.call('clinician', 'POST', `/v1/appointments/${f.appointmentId}/resolution`, {
      ...RESOLUTION,
      emergencyCare: true,
    });
    const list = (await api.call('clinician', 'GET', `/v1/queue/requests?patientId=${f.patientId}`)).json();
    expect(list.data).toMatchObject([
      { id: f.requestId, state: 'resolved', appointmentId: f.appointmentId, emergencyCare: true },
    ]);
    const [row] = await api.db.db
      .select()
      .from(appointments)
      .where(and(eq(appointments.id, f.appointmentId ?? 0), eq(appointments.emergencyCare, true)));
    expect(row).toBeDefined();
  });
});
