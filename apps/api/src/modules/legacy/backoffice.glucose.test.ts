/**
 * Back-office glucose routes on the legacy listener (legacy-compat.md §B, §C.2), through `inject`
 * on a real back-office instance: stored rows and counters, audit rows, the /v1 role rules
 * (values: clinician/admin; entry: clinician/assistant; delete: clinician), 404 texts, and a
 * patient token refused.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, patients, readings } from '../../db/schema/index.js';
import { DELETED_ANSWER } from './backoffice.glucose.routes.js';
import { buildLegacyApp } from './legacy.app.js';
import backofficeRoutes from './legacy.backoffice.js';
import { formatLegacyDate } from './legacy.views.js';

let bo: FastifyInstance;

const legacyAdmin: TokenFor = { kind: 'staff', id: 9101, roles: ['admin', 'clinician', 'assistant'] };
const clinician: TokenFor = { kind: 'staff', id: 9102, roles: ['clinician'] };
const assistant: TokenFor = { kind: 'staff', id: 9103, roles: ['assistant'] };
const adminOnly: TokenFor = { kind: 'staff', id: 9104, roles: ['admin'] };

/** POST /glucose/reading on the back-office as `who`, with the fields every call sends first. */
const record = (who: TokenFor, userId: number, level: number, type: string, extra: object = {}) =>
  api.callOn(bo, who, 'POST', '/glucose/reading', {
    user_id: userId,
    glucose_level: level,
    reading_type: type,
    ...extra,
  });

const api = useTestApp();

beforeAll(async () => {
  bo = await buildLegacyApp(api.app, 'backoffice', backofficeRoutes);
});
afterAll(async () => {
  await bo?.close();
});

const DAY = 86_400_000;
const ago = (days: number) => new Date(api.app.clock.now().getTime() - days * DAY);

const counters = async (id: number) =>
  (await api.db.db.select({ n: patients.timesMeasured }).from(patients).where(eq(patients.id, id)))[0]?.n;

describe('POST /glucose/reading', () => {
  it('records a reading for the patient as the staff writer: 201 legacy reading, row, counters, audit', async () => {
    const p = await createPatient(api.db.db);
    const reply = await record(assistant, p.id, 135, 'CENA', { notes: 'cargada en consultorio' });
    expect(reply.statusCode, reply.body).toBe(201);
    const body = reply.json();
    expect(body).toMatchObject({
      user_id: p.id,
      glucose_level: 135,
      reading_type: 'CENA',
      notes: 'cargada en consultorio',
    });
    const now = api.app.clock.now().getTime();
    const [row] = await api.db.db.select().from(readings).where(eq(readings.id, body.id));
    // Without created_at the reading is timed "now", shown in clinic time (compared with the stored
    // instant: the wall clock may tick to the next second between the request and this line).
    if (!row) throw new Error('the reading was not stored');
    expect(body.created_at).toBe(formatLegacyDate(row.measuredAt, api.app.config.clinic.timezone));
    expect(now - row.measuredAt.getTime()).toBeLessThan(60_000);
    expect(row).toMatchObject({
      patientId: p.id,
      valueMgDl: 135,
      context: 'dinner',
      source: 'manual',
      enteredByKind: 'staff',
      enteredById: assistant.id,
    });
    expect(await counters(p.id)).toBe(1);
    const [audit] = await api.auditWhere({ action: 'readings.create', patientId: p.id });
    expect(audit).toMatchObject({ outcome: 'success', actorId: assistant.id, resourceId: String(body.id) });
  });

  it('honours created_at, and refuses an implausible value with a 422 naming glucose_level (nothing stored)', async () => {
    const p = await createPatient(api.db.db);
    const at = ago(2);
    const dated = await record(clinician, p.id, 90.5, 'OTRO', { created_at: at.toISOString() });
    expect(dated.statusCode, dated.body).toBe(201);
    expect(dated.json()).toMatchObject({ glucose_level: 90.5, notes: null });
    expect(dated.json().created_at).toBe(formatLegacyDate(at, api.app.config.clinic.timezone));

    const bad = await record(clinician, p.id, 5, 'OTRO');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(['body', 'glucose_level']);
    const wrongType = await record(clinician, p.id, 100, 'BRUNCH');
    expect(wrongType.statusCode).toBe(422);
    expect(await api.db.db.select().from(readings).where(eq(readings.patientId, p.id))).toHaveLength(1);
  });

  it('answers 404 "User not found" for an unknown user_id; an admin-only account is refused (403)', async () => {
    const missing = await record(clinician, 99999999, 100, 'OTRO');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'User not found' });
    const p = await createPatient(api.db.db);
    const denied = await record(adminOnly, p.id, 100, 'OTRO');
    expect(denied.statusCode).toBe(403);
    expect(typeof denied.json().detail).toBe('string');
    expect(await counters(p.id)).toBe(0);
  });
});

describe('GET /glucose/user/{id}[/latest] and /glucose/readings', () => {
  it('returns all live readings oldest first; /latest only the last 15 days; audited per read', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(api.db.db, p.id, [
      { valueMgDl: 101, measuredAt: ago(1) },
      { valueMgDl: 102, measuredAt: ago(20) },
      { valueMgDl: 103, measuredAt: ago(3), context: 'breakfast' },
    ]);
    const all = await api.callOn(bo, clinician, 'GET', `/glucose/user/${p.id}`);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().readings.map((r: { glucose_level: number }) => r.glucose_level)).toEqual([102, 103, 101]);
    expect(all.json().readings[1]).toMatchObject({ user_id: p.id, reading_type: 'DESAYUNO' });
    const latest = await api.callOn(bo, legacyAdmin, 'GET', `/glucose/user/${p.id}/latest`);
    expect(latest.json().readings.map((r: { glucose_level: number }) => r.glucose_level)).toEqual([103, 101]);
    const audits = await api.auditWhere({ action: 'readings.read', patientId: p.id });
    expect(audits.map((a) => [a.actorId, a.details.returned])).toEqual([
      [clinician.id, 3],
      [legacyAdmin.id, 2],
    ]);
  });

  it('refuses the front desk (403, audited as access.denied), a patient token (401), and 404s an unknown user', async () => {
    const p = await createPatient(api.db.db);
    const denied = await api.callOn(bo, assistant, 'GET', `/glucose/user/${p.id}`);
    expect(denied.statusCode).toBe(403);
    const [refusal] = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'access.denied'), eq(auditEvents.actorId, assistant.id)));
    expect(refusal?.outcome).toBe('denied');
    const own = await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] });
    expect((await api.callOn(bo, own, 'GET', `/glucose/user/${p.id}`)).statusCode).toBe(401);
    expect((await api.callOn(bo, own, 'GET', '/glucose/readings')).statusCode).toBe(401);
    const missing = await api.callOn(bo, clinician, 'GET', '/glucose/user/99999999/latest');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'User not found' });
  });

  it('GET /glucose/readings lists every live reading of every patient by id, audited with the patients', async () => {
    const a = await createPatient(api.db.db);
    const b = await createPatient(api.db.db);
    await createReadings(api.db.db, a.id, [{ valueMgDl: 150, measuredAt: ago(1) }]);
    await createReadings(api.db.db, b.id, [{ valueMgDl: 160, measuredAt: ago(2) }]);
    const reply = await api.callOn(bo, clinician, 'GET', '/glucose/readings');
    expect(reply.statusCode, reply.body).toBe(200);
    const list = reply.json().readings as { id: number; user_id: number }[];
    const ids = list.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(list.some((r) => r.user_id === a.id) && list.some((r) => r.user_id === b.id)).toBe(true);
    const live = await api.db.db.select({ id: readings.id }).from(readings).where(isNull(readings.deletedAt));
    expect(list).toHaveLength(live.length);
    const [audit] = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'readings.read'), eq(auditEvents.actorId, clinician.id)))
      .orderBy(auditEvents.id)
      .then((rows) => rows.filter((r) => r.details.scope === 'all_patients'));
    expect(audit?.details.patientIds).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(audit?.details.returned).toBe(list.length);
    expect((await api.callOn(bo, assistant, 'GET', '/glucose/readings')).statusCode).toBe(403);
  });
});

describe('DELETE /glucose/reading/{id}', () => {
  it('soft-deletes (counters move, audited), answers a bare string, then 404 "Reading not found"', async () => {
    const p = await createPatient(api.db.db);
    const made = await record(clinician, p.id, 120, 'OTRO');
    const id = made.json().id as number;
    expect(await counters(p.id)).toBe(1);
    expect((await api.callOn(bo, assistant, 'DELETE', `/glucose/reading/${id}`)).statusCode).toBe(403);
    expect((await api.callOn(bo, adminOnly, 'DELETE', `/glucose/reading/${id}`)).statusCode).toBe(403);

    const removed = await api.callOn(bo, clinician, 'DELETE', `/glucose/reading/${id}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.headers['content-type']).toMatch(/application\/json/);
    expect(removed.json()).toBe(DELETED_ANSWER);
    const [row] = await api.db.db.select().from(readings).where(eq(readings.id, id));
    expect(row?.deletedAt).not.toBeNull();
    expect(await counters(p.id)).toBe(0);
    expect(await api.auditWhere({ action: 'readings.delete', patientId: p.id })).toHaveLength(1);
    const listed = await api.callOn(bo, clinician, 'GET', `/glucose/user/${p.id}`);
    expect(listed.json().readings).toEqual([]);

    const again = await api.callOn(bo, clinician, 'DELETE', `/glucose/reading/${id}`);
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ detail: 'Reading not found' });
  });
});
