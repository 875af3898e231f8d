/**
 * `/v1/me`: a patient sees their profile with the gamification counters and changes preferences
 * only; staff see their account and change their name only. Mass assignment (AZ-5) is a 400 and
 * changes nothing.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bearer, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, patients, staff } from '../../db/schema/index.js';

const api = useTestApp();

async function patientToken() {
  const p = await createPatient(api.db.db, { streakDays: 4, maxStreakDays: 9, timesMeasured: 120 });
  return { p, token: await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] }) };
}

const me = (token: string) => api.app.inject({ url: '/v1/me', headers: bearer(token) });
const patchMe = (token: string, payload: object) =>
  api.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(token), payload });

describe('GET /v1/me', () => {
  it('a patient gets their profile with the gamification counters; the read is audited', async () => {
    const { p, token } = await patientToken();
    const res = await me(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'patient',
      id: p.id,
      dni: p.dni,
      email: p.email,
      streakDays: 4,
      maxStreakDays: 9,
      timesMeasured: 120,
      glucoseUnit: 'mg/dL',
      timezone: 'America/Argentina/Buenos_Aires',
    });
    expect(JSON.stringify(res.json())).not.toMatch(/password|hash|credential/i);
    const [row] = await api.db.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])));
    expect(row).toMatchObject({ action: 'patients.read', patientId: p.id, actorId: p.id, outcome: 'success' });
  });

  it('staff get id, username, e-mail, name, roles and MFA state', async () => {
    const s = await createStaff(api.db.db, { roles: ['clinician', 'assistant'] });
    const token = await tokenFor(api.app, { kind: 'staff', id: s.id, roles: ['clinician', 'assistant'] });
    const res = await me(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      kind: 'staff',
      id: s.id,
      username: s.username,
      email: s.email,
      name: s.name,
      roles: ['clinician', 'assistant'],
      mfaEnabled: false,
    });
  });

  it('anonymous is 401', async () => {
    expect((await api.app.inject({ url: '/v1/me' })).statusCode).toBe(401);
  });
});

describe('PATCH /v1/me', () => {
  it('a patient changes unit, target range and time zone; stored and audited', async () => {
    const { p, token } = await patientToken();
    const res = await patchMe(token, {
      glucoseUnit: 'mmol/L',
      targetLowMgDl: 75,
      targetHighMgDl: 165,
      timezone: 'Europe/Madrid',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'patient',
      glucoseUnit: 'mmol/L',
      targetLowMgDl: 75,
      timezone: 'Europe/Madrid',
    });
    const [stored] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(stored).toMatchObject({
      glucoseUnit: 'mmol/L',
      targetLowMgDl: 75,
      targetHighMgDl: 165,
      timezone: 'Europe/Madrid',
    });
    const [row] = await api.db.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])));
    expect(row).toMatchObject({ action: 'patients.update', patientId: p.id, actorRole: 'patient' });
    expect([...((row?.details as { changed?: string[] } | undefined)?.changed ?? [])].sort()).toEqual(
      ['glucoseUnit', 'targetHighMgDl', 'targetLowMgDl', 'timezone'].sort(),
    );
  });

  it.each([
    ['blocked', { blocked: true }],
    ['roles', { roles: ['admin'] }],
    ['streakDays', { streakDays: 365 }],
    ['maxStreakDays', { maxStreakDays: 365 }],
    ['timesMeasured', { timesMeasured: 9999 }],
    ['dni', { dni: '11111111' }],
    ['email', { email: 'attacker@example.org' }],
    ['hospitalAccount', { hospitalAccount: 'HC-9' }],
    ['id', { id: 1 }],
    ['name', { name: 'Otro Nombre' }],
  ])('a patient sending %s gets 400 and nothing changes', async (field, extra) => {
    const { p, token } = await patientToken();
    const res = await patchMe(token, { glucoseUnit: 'mmol/L', ...extra });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors)).toContain(`body.${field}`);
    const [stored] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(stored).toMatchObject({
      glucoseUnit: 'mg/dL',
      blocked: false,
      streakDays: 4,
      maxStreakDays: 9,
      timesMeasured: 120,
      dni: p.dni,
      email: p.email,
      name: p.name,
      hospitalAccount: null,
    });
  });

  it('a patient gets 400 for an inconsistent range or an unknown time zone', async () => {
    const { token } = await patientToken();
    expect((await patchMe(token, { targetLowMgDl: 200 })).json().errors).toHaveProperty(['body.targetLowMgDl']);
    expect((await patchMe(token, { timezone: 'Atlantis/Capital' })).json().errors).toHaveProperty(['body.timezone']);
    expect((await patchMe(token, {})).statusCode).toBe(400);
  });

  it('staff change their name only; roles, preferences and blocked are 400 and change nothing', async () => {
    const s = await createStaff(api.db.db, { roles: ['assistant'] });
    const token = await tokenFor(api.app, { kind: 'staff', id: s.id, roles: ['assistant'] });
    const ok = await patchMe(token, { name: '  Recepción Norte ' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ kind: 'staff', name: 'Recepción Norte', roles: ['assistant'] });
    for (const [field, payload] of [
      ['roles', { roles: ['admin'] }],
      ['blocked', { blocked: true }],
      ['glucoseUnit', { glucoseUnit: 'mmol/L' }],
      ['username', { username: 'root' }],
      ['email', { email: 'x@example.org' }],
    ] as const) {
      const res = await patchMe(token, payload);
      expect(res.statusCode, field).toBe(400);
      expect(Object.keys(res.json().errors)).toContain(`body.${field}`);
    }
    const [row] = await api.db.db.select().from(staff).where(eq(staff.id, s.id));
    expect(row).toMatchObject({ name: 'Recepción Norte', roles: ['assistant'], blocked: false, username: s.username });
  });
});
