/**
 * Patients over HTTP, after creation: read one, edit (409 on a taken identifier), search and
 * pagination, and the audit rows they write. Creation is in patients.routes.create.test.ts.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, clinician } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { assistant, usePatientsApp } from '../../../test/fixtures/patients.routes.js';
import { patients } from '../../db/schema/index.js';

const { api, rowsOf } = usePatientsApp();

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
