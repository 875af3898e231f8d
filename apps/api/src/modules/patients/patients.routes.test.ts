/**
 * Patients over HTTP: create (canonical identifiers, password or invitation), validation 400s
 * naming the field, 409 duplicates with nothing written, read, edit, search and pagination.
 */
import { count, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, clinician, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, credentials, passwordTokens, patients } from '../../db/schema/index.js';

const assistant: TokenFor = { kind: 'staff', id: 3, roles: ['assistant'] };

const api = useTestApp();

beforeAll(async () => {
  for (const who of [admin(), clinician(), assistant]) await tokenFor(api.app, who);
});

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

async function rowsOf(res: LightMyRequestResponse) {
  return api.db.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])));
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
    const input = body({
      dni: '27.345.678',
      email: '  Lucia.F@Example.ORG ',
      birthDate: '1990-04-12',
      diabetesType: 'type1',
      glucoseUnit: 'mmol/L',
      targetLowMgDl: 80,
      targetHighMgDl: 170,
      timezone: 'America/Argentina/Cordoba',
      hospitalAccount: 'HC-2001',
      tidepoolId: 'abc123def0',
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
      birthDate: '1990-04-12',
      diabetesType: 'type1',
      glucoseUnit: 'mmol/L',
      targetLowMgDl: 80,
      targetHighMgDl: 170,
      timezone: 'America/Argentina/Cordoba',
      hospitalAccount: 'HC-2001',
      tidepoolId: 'abc123def0',
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
    expect(cred?.passwordHash).toBeNull();
    const tokens = await api.db.db
      .select()
      .from(passwordTokens)
      .where(eq(passwordTokens.credentialId, cred?.id ?? 0));
    expect(tokens.map((t) => t.purpose)).toEqual(['invite']);
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

describe('GET and PATCH /v1/patients/:id', () => {
  it('reads one patient; an unknown id is 404', async () => {
    const p = await createPatient(api.db.db, { name: 'Marta' });
    const res = await api.call(assistant, 'GET', `/v1/patients/${p.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: p.id, dni: p.dni, name: 'Marta' });
    expect(Object.keys(res.json())).not.toContain('credential');
    expect((await api.call(assistant, 'GET', '/v1/patients/999999')).statusCode).toBe(404);
    expect((await api.call(assistant, 'GET', '/v1/patients/abc')).statusCode).toBe(400);
  });

  it('edits profile fields (DNI included), stores them and audits the changed field names only', async () => {
    const p = await createPatient(api.db.db);
    const res = await api.call(clinician(), 'PATCH', `/v1/patients/${p.id}`, {
      name: 'María José',
      dni: '41.222.333',
      targetHighMgDl: 160,
      diabetesType: 'type2',
      hospitalAccount: null,
      surname: p.surname,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'María José',
      dni: '41222333',
      targetHighMgDl: 160,
      diabetesType: 'type2',
    });
    const [stored] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(stored).toMatchObject({ name: 'María José', dni: '41222333', targetHighMgDl: 160 });
    expect(stored?.updatedAt.getTime()).toBeGreaterThanOrEqual(p.updatedAt.getTime());
    const [audit] = await rowsOf(res);
    expect(audit).toMatchObject({ action: 'patients.update', patientId: p.id, outcome: 'success' });
    expect([...((audit?.details as { changed?: string[] } | undefined)?.changed ?? [])].sort()).toEqual(
      ['diabetesType', 'dni', 'name', 'targetHighMgDl'].sort(),
    );
    expect(JSON.stringify(audit?.details)).not.toMatch(/María|41222333/);
  });

  it.each([
    ['blocked', { blocked: true }],
    ['streakDays', { streakDays: 500 }],
    ['timesMeasured', { timesMeasured: 1 }],
    ['password', { password: 'nueva frase larga' }],
    ['id', { id: 5 }],
  ])('refuses %s with 400 and changes nothing', async (field, patch) => {
    const p = await createPatient(api.db.db);
    const res = await api.call(admin(), 'PATCH', `/v1/patients/${p.id}`, { name: 'Cambiado', ...patch });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors)).toContain(`body.${field}`);
    const [stored] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(stored).toMatchObject({ name: p.name, blocked: false, streakDays: 0, timesMeasured: 0 });
  });

  it('checks the target range against the stored bound; an empty body is 400', async () => {
    const wide = await createPatient(api.db.db, { targetLowMgDl: 150, targetHighMgDl: 300 });
    const raised = await api.call(admin(), 'PATCH', `/v1/patients/${wide.id}`, { targetLowMgDl: 200 });
    expect(raised.statusCode, raised.body).toBe(200);
    expect(raised.json()).toMatchObject({ targetLowMgDl: 200, targetHighMgDl: 300 });
    const p = await createPatient(api.db.db);
    const res = await api.call(admin(), 'PATCH', `/v1/patients/${p.id}`, { targetLowMgDl: 190 });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors)).toEqual(['body.targetLowMgDl']);
    expect((await api.call(admin(), 'PATCH', `/v1/patients/${p.id}`, {})).statusCode).toBe(400);
    expect(
      (await api.call(admin(), 'PATCH', `/v1/patients/${p.id}`, { timezone: 'Nowhere/City' })).json().errors,
    ).toEqual({
      'body.timezone': 'is not a known IANA time zone',
    });
  });

  it('409 when the new e-mail or DNI belongs to someone else; nothing changes', async () => {
    const a = await createPatient(api.db.db);
    const b = await createPatient(api.db.db);
    const res = await api.call(admin(), 'PATCH', `/v1/patients/${b.id}`, { email: a.email.toUpperCase(), name: 'X' });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual({ 'body.email': 'is already in use' });
    const dup = await api.call(admin(), 'PATCH', `/v1/patients/${b.id}`, { dni: a.dni });
    expect(dup.json().errors).toEqual({ 'body.dni': 'is already in use' });
    const [stored] = await api.db.db.select().from(patients).where(eq(patients.id, b.id));
    expect(stored).toMatchObject({ email: b.email, dni: b.dni, name: b.name });
    // Writing its own current values is not a conflict.
    expect((await api.call(admin(), 'PATCH', `/v1/patients/${b.id}`, { email: b.email, dni: b.dni })).statusCode).toBe(
      200,
    );
  });

  it('PATCH of an unknown patient is 404', async () => {
    expect((await api.call(admin(), 'PATCH', '/v1/patients/987654', { name: 'Nadie' })).statusCode).toBe(404);
  });
});

describe('GET /v1/patients', () => {
  const tag = `Qz${Date.now() % 100_000}`;
  let ids: number[] = [];

  beforeAll(async () => {
    const made = [];
    for (const [name, surname, blocked] of [
      ['Ana', `${tag}Abalo`, false],
      ['Bruno', `${tag}Bianchi`, false],
      ['Carla', `${tag}Castro`, true],
    ] as const) {
      made.push(await createPatient(api.db.db, { name, surname, blocked }));
    }
    ids = made.map((p) => p.id);
  });

  it('searches name, surname, DNI and e-mail case-insensitively, with total and pages', async () => {
    const res = await api.call(clinician(), 'GET', `/v1/patients?q=${tag.toLowerCase()}&sort=surname`);
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(3);
    expect(res.json().data.map((p: { name: string }) => p.name)).toEqual(['Ana', 'Bruno', 'Carla']);
    const page2 = await api.call(clinician(), 'GET', `/v1/patients?q=${tag}&perPage=2&page=2&sort=-createdAt`);
    expect(page2.json()).toMatchObject({ total: 3 });
    expect(page2.json().data.map((p: { id: number }) => p.id)).toEqual([ids[0]]);

    const [first] = await api.db.db
      .select()
      .from(patients)
      .where(eq(patients.id, ids[1] ?? 0));
    const dotted = `${first?.dni.slice(0, 2)}.${first?.dni.slice(2, 5)}`;
    const byDni = await api.call(clinician(), 'GET', `/v1/patients?q=${encodeURIComponent(dotted)}`);
    expect(byDni.json().data.map((p: { id: number }) => p.id)).toContain(ids[1]);
    const byEmail = await api.call(
      admin(),
      'GET',
      `/v1/patients?q=${encodeURIComponent(first?.email.toUpperCase() ?? '')}`,
    );
    expect(byEmail.json().data.map((p: { id: number }) => p.id)).toEqual([ids[1]]);
    const full = await api.call(admin(), 'GET', `/v1/patients?q=${encodeURIComponent(`bruno ${tag}`)}`);
    expect(full.json().total).toBe(1);
  });

  it('filters on blocked; LIKE wildcards in q are literal', async () => {
    const blocked = await api.call(assistant, 'GET', `/v1/patients?q=${tag}&blocked=true`);
    expect(blocked.json().data.map((p: { id: number }) => p.id)).toEqual([ids[2]]);
    const wildcard = await api.call(assistant, 'GET', `/v1/patients?q=${encodeURIComponent(`${tag}%`)}`);
    expect(wildcard.json().total).toBe(0);
  });

  it('bounds perPage and whitelists sort and parameters', async () => {
    for (const query of ['perPage=101', 'perPage=0', 'page=0', 'sort=password', 'sort=surname;drop', 'nope=1']) {
      const res = await api.call(admin(), 'GET', `/v1/patients?${query}`);
      expect(res.statusCode, query).toBe(400);
    }
    expect((await api.call(admin(), 'GET', '/v1/patients?q=')).statusCode).toBe(200);
    const dflt = await api.call(admin(), 'GET', '/v1/patients');
    expect(dflt.statusCode).toBe(200);
    expect(dflt.json().data.length).toBeLessThanOrEqual(20);
  });

  it('writes one audit row per list read: filter names and ids, never the search term', async () => {
    const res = await api.call(clinician(), 'GET', `/v1/patients?q=${tag}&blocked=false`);
    const rows = await rowsOf(res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'patients.list', outcome: 'success', actorRole: 'clinician' });
    expect(rows[0]?.details).toMatchObject({ filters: ['q', 'blocked'], returned: 2, total: 2 });
    expect([...((rows[0]?.details as { patientIds?: number[] } | undefined)?.patientIds ?? [])].sort()).toEqual(
      [ids[0], ids[1]].sort(),
    );
    expect(JSON.stringify(rows[0]?.details)).not.toContain(tag);
  });
});
