/**
 * Patients over HTTP, creation: canonical identifiers, password or invitation, validation 400s naming
 * the field, 409 duplicates with nothing written. Read, edit, search and pagination are in
 * patients.routes.read-edit.test.ts.
 */
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { admin, clinician } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { expectInvitedOnly } from '../../../test/fixtures/invitations.js';
import { assistant, usePatientsApp } from '../../../test/fixtures/patients.routes.js';
import { credentials, patients } from '../../db/schema/index.js';

const { api, rowsOf } = usePatientsApp();

let n = 0;
/** A valid create body with identifiers unique to this call. */
function body(overrides: Record<string, unknown> = {}) {
  n += 1;
  const stamp = `${process.pid % 100}${n}${Date.now() % 10_000}`;
  return {
    dni: String(30_000_000 + ((Number(stamp) * 7919) % 9_000_000)),
    email: `new${stamp}@patients.example`,
    name: 'Lucía',
    surname: 'Fernández',
    ...overrides,
  };
}

async function patientCount() {
  const [row] = await api.db.db.select({ n: count() }).from(patients);
  return row?.n ?? 0;
}
async function credentialCount() {
  const [row] = await api.db.db.select({ n: count() }).from(credentials);
  return row?.n ?? 0;
}

describe('POST /v1/patients', () => {
  it('creates the patient and an argon2id credential, canonicalising DNI and e-mail; the patient can sign in', async () => {
    // Stored and answered as sent (only DNI and e-mail are canonicalised).
    const profile = {
      birthDate: '1990-04-12',
      diabetesType: 'type1',
      glucoseUnit: 'mmol/L',
      targetLowMgDl: 80,
      targetHighMgDl: 170,
      timezone: 'America/Argentina/Cordoba',
      hospitalAccount: 'HC-2001',
      tidepoolId: 'abc123def0',
    };
    const input = body({
      dni: '27.345.678',
      email: '  Lucia.F@Example.ORG ',
      ...profile,
      password: 'una frase bastante larga',
    });
    const res = await api.call(clinician(), 'POST', '/v1/patients', input);
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      dni: '27345678',
      email: 'lucia.f@example.org',
      name: 'Lucía',
      surname: 'Fernández',
      ...profile,
      blocked: false,
      streakDays: 0,
      maxStreakDays: 0,
      timesMeasured: 0,
    });
    expect(JSON.stringify(created)).not.toMatch(/password|hash|credential/i);

    const [stored] = await api.db.db.select().from(patients).where(eq(patients.id, created.id));
    expect(stored).toMatchObject({ dni: '27345678', email: 'lucia.f@example.org', targetLowMgDl: 80 });
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.patientId, created.id));
    expect(cred?.passwordAlgo).toBe('argon2id');
    expect(cred?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const [audit] = await rowsOf(res);
    expect(audit).toMatchObject({ action: 'patients.create', patientId: created.id, outcome: 'success' });
    expect(audit?.details).toMatchObject({ source: 'staff', passwordSet: true, invited: false });
    expect(JSON.stringify(audit?.details)).not.toContain('27345678');

    const login = await api.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: '27345678', password: 'una frase bastante larga' },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user).toMatchObject({ id: created.id, kind: 'patient' });
  });

  it('without a password, stores no hash and issues a set-password invitation; defaults apply', async () => {
    const res = await api.call(assistant, 'POST', '/v1/patients', body());
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      glucoseUnit: 'mg/dL',
      targetLowMgDl: 70,
      targetHighMgDl: 180,
      timezone: 'America/Argentina/Buenos_Aires',
      hospitalAccount: null,
      birthDate: null,
    });
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.patientId, created.id));
    await expectInvitedOnly(api.db, cred);
    expect((await rowsOf(res))[0]?.details).toMatchObject({ invited: true, passwordSet: false });
  });

  it.each([
    ['dni', { dni: 'abc' }],
    ['dni', { dni: '123456' }],
    ['dni', { dni: '1234567890' }],
    ['email', { email: 'not-an-email' }],
    ['name', { name: '' }],
    ['diabetesType', { diabetesType: 'type3' }],
    ['glucoseUnit', { glucoseUnit: 'mg' }],
    ['targetLowMgDl', { targetLowMgDl: 30 }],
    ['targetHighMgDl', { targetHighMgDl: 401 }],
    ['targetLowMgDl', { targetLowMgDl: 180, targetHighMgDl: 150 }],
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['birthDate', { birthDate: '2999-01-01' }],
    ['birthDate', { birthDate: '12/04/1990' }],
    ['blocked', { blocked: true }],
    ['streakDays', { streakDays: 99 }],
    ['password', { password: 'password' }],
    ['password', { password: 'short' }],
  ])('400 naming %s, nothing written (%j)', async (field, overrides) => {
    const before = [await patientCount(), await credentialCount()];
    const res = await api.call(clinician(), 'POST', '/v1/patients', body(overrides));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Object.keys(res.json().errors)).toContain(`body.${field}`);
    expect([await patientCount(), await credentialCount()]).toEqual(before);
  });

  it('refuses a password containing the DNI or the e-mail name', async () => {
    const input = body();
    for (const password of [`clave-${input.dni}-larga`, `${input.email.split('@')[0]}-secreta`]) {
      const res = await api.call(clinician(), 'POST', '/v1/patients', { ...input, password });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors['body.password']).toMatch(/DNI|e-mail/);
    }
  });

  it.each([
    ['dni', (p: { dni: string }) => ({ dni: `${p.dni.slice(0, 2)}.${p.dni.slice(2, 5)}.${p.dni.slice(5)}` })],
    ['email', (p: { email: string }) => ({ email: p.email.toUpperCase() })],
    ['hospitalAccount', () => ({ hospitalAccount: 'HC-DUP-1' })],
  ])('409 naming %s when it is taken; nothing is written', async (field, clash) => {
    const existing = await createPatient(api.db.db, {
      hospitalAccount: field === 'hospitalAccount' ? 'HC-DUP-1' : null,
    });
    const before = [await patientCount(), await credentialCount()];
    const res = await api.call(
      admin(),
      'POST',
      '/v1/patients',
      body({ ...clash(existing), password: 'otra frase larga 2026' }),
    );
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'duplicate', errors: { [`body.${field}`]: 'is already in use' } });
    expect(res.json().detail).not.toContain(existing.dni);
    expect([await patientCount(), await credentialCount()]).toEqual(before);
  });

  it('a unique violation raced past the pre-check still answers 409 and rolls everything back', async () => {
    const existing = await createPatient(api.db.db);
    // Upper-case rows from an old import slip past nothing: the pre-check compares lower-case.
    await api.db.db.update(patients).set({ email: existing.email.toUpperCase() }).where(eq(patients.id, existing.id));
    const before = await patientCount();
    const res = await api.call(admin(), 'POST', '/v1/patients', body({ email: existing.email }));
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual({ 'body.email': 'is already in use' });
    expect(await patientCount()).toBe(before);
  });
});
