/**
 * Back-office patient users on the legacy listener (legacy-compat.md §B, §C.1), through `inject` on
 * a real back-office instance: list, create, read, edit and block, with stored rows, credentials and
 * audit rows, role refusals, duplicates as 400 "already exists", nothing half-written on a refused
 * create. Admin accounts are in backoffice.users.admins.test.ts; the wire shapes seen by the old
 * clients are the contract suite's (apps/api/test/legacy).
 */
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bearer, tokenFor } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import {
  assistant,
  bo,
  clinician,
  legacyAdmin,
  unique,
  useBackoffice,
} from '../../../test/fixtures/backoffice.users.js';
import { credentials, patients, sessions } from '../../db/schema/index.js';
import { verifyPassword } from '../auth/auth.passwords.js';

const { api } = useBackoffice();

function signUp(overrides: Record<string, unknown> = {}) {
  const u = unique();
  return {
    dni: `TEST${u}`,
    name: 'Nuevo',
    surname: 'Paciente',
    email: `bo-${u}@patients.example`,
    password: 'Paciente-Backoffice-2026!',
    hospital_account: `HC-${u}`,
    blocked: false,
    tidepool: null,
    ...overrides,
  };
}

const countPatients = async () => (await api.db.db.select({ n: sql<number>`count(*)::int` }).from(patients))[0]?.n;
const countCredentials = async () =>
  (await api.db.db.select({ n: sql<number>`count(*)::int` }).from(credentials))[0]?.n;

describe('GET /users/', () => {
  it('lists every patient by user_id with the legacy fields, both slash forms, audited as one read', async () => {
    const a = await createPatient(api.db.db, { hospitalAccount: `HA-${unique()}` });
    const b = await createPatient(api.db.db, { blocked: true });
    for (const url of ['/users/', '/users']) {
      const reply = await api.callOn(bo, assistant, 'GET', url);
      expect(reply.statusCode, reply.body).toBe(200);
      const list = reply.json() as { user_id: number; dni: string; blocked: boolean; hospital_account: string }[];
      const ids = list.map((u) => u.user_id);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(list.find((u) => u.user_id === a.id)).toMatchObject({ dni: a.dni, hospital_account: a.hospitalAccount });
      expect(list.find((u) => u.user_id === b.id)).toMatchObject({ blocked: true, hospital_account: '' });
    }
    const rows = (await api.auditWhere({ action: 'patients.list' })).filter((r) => r.details.via === 'legacy');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.details.patientIds).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('refuses a patient token (401) and no token (401 Not authenticated)', async () => {
    const p = await createPatient(api.db.db);
    const patientToken = await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] });
    const withPatient = await api.callOn(bo, patientToken, 'GET', '/users/');
    expect(withPatient.statusCode).toBe(401);
    const none = await api.callOn(bo, null, 'GET', '/users/');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ detail: 'Not authenticated' });
  });
});

describe('POST /users/', () => {
  it('creates the patient and an argon2id credential in one go; counters ignored; audited', async () => {
    const body = signUp({ times_measured: 99, streak: 5, max_streak: 7, tidepool: 'tp_1234' });
    const reply = await api.callOn(bo, clinician, 'POST', '/users/', body);
    expect(reply.statusCode, reply.body).toBe(201);
    const created = reply.json();
    expect(created).toMatchObject({
      dni: body.dni,
      email: body.email,
      hospital_account: body.hospital_account,
      tidepool: 'tp_1234',
      times_measured: 0,
      streak: 0,
      max_streak: 0,
      blocked: false,
    });
    const [row] = await api.db.db.select().from(patients).where(eq(patients.id, created.user_id));
    expect(row).toMatchObject({ dni: body.dni, hospitalAccount: body.hospital_account, timesMeasured: 0 });
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.patientId, created.user_id));
    expect(cred?.passwordAlgo).toBe('argon2id');
    expect(await verifyPassword(body.password, cred?.passwordHash as string, 'argon2id')).toBe(true);
    const [audit] = await api.auditWhere({ action: 'patients.create', resourceId: created.user_id });
    expect(audit).toMatchObject({ outcome: 'success', actorId: clinician.id, patientId: created.user_id });
    expect(audit?.details).toMatchObject({ source: 'staff', passwordSet: true });
  });

  it('creates an already blocked patient when asked, and "" hospital account means none', async () => {
    const reply = await api.callOn(bo, legacyAdmin, 'POST', '/users', signUp({ blocked: true, hospital_account: '' }));
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json()).toMatchObject({ blocked: true, hospital_account: '' });
    const [row] = await api.db.db.select().from(patients).where(eq(patients.id, reply.json().user_id));
    expect(row).toMatchObject({ blocked: true, hospitalAccount: null });
  });

  it('answers 400 "already exists" for a duplicate DNI, e-mail or hospital account, writing nothing', async () => {
    const first = signUp();
    expect((await api.callOn(bo, legacyAdmin, 'POST', '/users/', first)).statusCode).toBe(201);
    const before = [await countPatients(), await countCredentials()];
    const clashes = [
      { dni: first.dni, label: 'DNI' },
      { email: first.email.toUpperCase(), label: 'email' },
      { hospital_account: first.hospital_account, label: 'hospital account' },
    ];
    for (const { label, ...field } of clashes) {
      const reply = await api.callOn(bo, legacyAdmin, 'POST', '/users/', signUp(field));
      expect(reply.statusCode, reply.body).toBe(400);
      expect(reply.json()).toEqual({ detail: `User with this ${label} already exists` });
    }
    expect([await countPatients(), await countCredentials()]).toEqual(before);
  });

  it('refuses a weak password with a 422 naming body.password, leaving no patient and no credential', async () => {
    const body = signUp({ password: 'short' });
    const before = [await countPatients(), await countCredentials()];
    const reply = await api.callOn(bo, legacyAdmin, 'POST', '/users/', body);
    expect(reply.statusCode).toBe(422);
    const [issue] = reply.json().detail;
    expect(issue.loc).toEqual(['body', 'password']);
    expect(issue.msg).toMatch(/password must be at least \d+ characters/);
    expect([await countPatients(), await countCredentials()]).toEqual(before);
    expect(await api.db.db.select().from(patients).where(eq(patients.dni, body.dni))).toEqual([]);
  });

  it('checks the token before the body (401, not 422) and answers schema failures in FastAPI form', async () => {
    expect((await api.callOn(bo, null, 'POST', '/users/', {})).statusCode).toBe(401);
    const { dni: _dni, ...noDni } = signUp();
    const reply = await api.callOn(bo, legacyAdmin, 'POST', '/users/', noDni);
    expect(reply.statusCode).toBe(422);
    expect(reply.json().detail).toContainEqual({
      loc: ['body', 'dni'],
      msg: 'field required',
      type: 'value_error.missing',
    });
  });
});

describe('GET and PATCH /users/user/{user_id}, POST /users/block/{user_id}', () => {
  it('reads one patient without user_id (blocked ones too), audited; unknown is 404 "User not found"', async () => {
    const p = await createPatient(api.db.db, { blocked: true });
    const reply = await api.callOn(bo, clinician, 'GET', `/users/user/${p.id}`);
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).not.toHaveProperty('user_id');
    expect(reply.json()).toMatchObject({ dni: p.dni, blocked: true });
    const [audit] = await api.auditWhere({ action: 'patients.read', resourceId: p.id });
    expect(audit).toMatchObject({ outcome: 'success', patientId: p.id, actorId: clinician.id });
    const missing = await api.callOn(bo, clinician, 'GET', '/users/user/99999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'User not found' });
  });

  it('PATCH updates the given fields only and answers the updated user; audited by field name', async () => {
    const p = await createPatient(api.db.db, { hospitalAccount: `OLD-${unique()}` });
    const account = `NEW-${unique()}`;
    const reply = await api.callOn(bo, clinician, 'PATCH', `/users/user/${p.id}`, {
      hospital_account: account,
      name: 'Ana María',
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({ hospital_account: account, name: 'Ana María', surname: p.surname });
    expect(reply.json()).not.toHaveProperty('user_id');
    const [row] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(row).toMatchObject({ hospitalAccount: account, name: 'Ana María', email: p.email });
    const [audit] = await api.auditWhere({ action: 'patients.update', resourceId: p.id });
    expect(audit?.details.changed).toEqual(expect.arrayContaining(['hospitalAccount', 'name']));
    // No body at all is a 422 like FastAPI's required body, and writes nothing.
    const empty = await bo.inject({
      method: 'PATCH',
      url: `/users/user/${p.id}`,
      headers: { ...bearer(await tokenFor(api.app, clinician)), 'content-type': 'application/json' },
    });
    expect(empty.statusCode, empty.body).toBe(422);
    expect(empty.json().detail[0].loc).toEqual(['body']);
    expect(await api.auditWhere({ action: 'patients.update', resourceId: p.id })).toHaveLength(1);
  });

  it('PATCH to a taken e-mail is 400 "already exists" and changes nothing', async () => {
    const p = await createPatient(api.db.db);
    const other = await createPatient(api.db.db);
    const reply = await api.callOn(bo, clinician, 'PATCH', `/users/user/${p.id}`, { email: other.email, name: 'Nope' });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toEqual({ detail: 'User with this email already exists' });
    const [row] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(row).toMatchObject({ email: p.email, name: p.name });
  });

  it('PATCH blocked: the front desk blocks (sessions revoked); a clinician gets 403 and nothing changes', async () => {
    const p = await createPatient(api.db.db);
    await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] });
    const refused = await api.callOn(bo, clinician, 'PATCH', `/users/user/${p.id}`, { blocked: true, name: 'Changed' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/permission/i);
    expect((await api.db.db.select().from(patients).where(eq(patients.id, p.id)))[0]).toMatchObject({
      blocked: false,
      name: p.name,
    });

    const blocked = await api.callOn(bo, assistant, 'PATCH', `/users/user/${p.id}`, { blocked: true });
    expect(blocked.statusCode, blocked.body).toBe(200);
    expect(blocked.json().blocked).toBe(true);
    const live = await api.db.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.credentialId, p.credential.id), sql`${sessions.revokedAt} is null`));
    expect(live).toEqual([]);
    expect(await api.auditWhere({ action: 'patients.block', resourceId: p.id })).toHaveLength(1);
  });

  it('POST /users/block/{id} toggles the block (front desk only) and answers the user with user_id', async () => {
    const p = await createPatient(api.db.db);
    const on = await api.callOn(bo, assistant, 'POST', `/users/block/${p.id}`);
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ user_id: p.id, blocked: true });
    const off = await api.callOn(bo, legacyAdmin, 'POST', `/users/block/${p.id}`);
    expect(off.json()).toMatchObject({ user_id: p.id, blocked: false });
    expect((await api.callOn(bo, clinician, 'POST', `/users/block/${p.id}`)).statusCode).toBe(403);
    expect((await api.callOn(bo, assistant, 'POST', '/users/block/99999999')).json()).toEqual({
      detail: 'User not found',
    });
    expect((await api.db.db.select().from(patients).where(eq(patients.id, p.id)))[0]?.blocked).toBe(false);
  });
});
