/**
 * Staff accounts over HTTP (admin only): create with a password or an invitation, validation,
 * duplicates, edits; a change of roles or a block ends that person's sessions; an admin cannot
 * remove their own admin role or block themselves.
 */
import { count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { expectInvitedOnly } from '../../../test/fixtures/invitations.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { credentials, staff } from '../../db/schema/index.js';

let adminId: number;
let adminToken: string;

const api = useTestApp();

beforeAll(async () => {
  const row = await createStaff(api.db.db, { roles: ['admin'] });
  adminId = row.id;
  adminToken = await tokenFor(api.app, { kind: 'staff', id: row.id, roles: ['admin'] });
});

const STRONG = 'cuaderno-de-glucemias-2026';
let n = 0;
function body(overrides: Record<string, unknown> = {}): Record<string, unknown> & { username: string } {
  n += 1;
  return {
    username: `nurse.${process.pid % 1000}.${n}`,
    email: `nurse${n}.${process.pid}@clinic.example`,
    name: 'Enf. Gómez',
    roles: ['clinician'],
    ...overrides,
  };
}

const asAdmin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  api.app.inject({ method, url, headers: bearer(adminToken), ...(payload ? { payload } : {}) });

const login = (identifier: string, password: string) =>
  api.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password } });

async function staffCount() {
  const [row] = await api.db.db.select({ n: count() }).from(staff);
  return row?.n ?? 0;
}

describe('who may manage staff', () => {
  it('admin only: anonymous 401, patients 401, clinicians and assistants 403', async () => {
    const p = await createPatient(api.db.db);
    const clin = await createStaff(api.db.db, { roles: ['clinician'] });
    const asst = await createStaff(api.db.db, { roles: ['assistant'] });
    const actors: [string, TokenFor | null, number][] = [
      ['anonymous', null, 401],
      ['patient', { kind: 'patient', id: p.id, roles: ['patient'] }, 401],
      ['clinician', { kind: 'staff', id: clin.id, roles: ['clinician'] }, 403],
      ['assistant', { kind: 'staff', id: asst.id, roles: ['assistant'] }, 403],
    ];
    for (const [name, who, status] of actors) {
      const headers = who ? bearer(await tokenFor(api.app, who)) : {};
      for (const [method, url, payload] of [
        ['GET', '/v1/staff', undefined],
        ['POST', '/v1/staff', body()],
        ['GET', `/v1/staff/${adminId}`, undefined],
        ['PATCH', `/v1/staff/${clin.id}`, { roles: ['admin'] }],
      ] as const) {
        const res = await api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${name} ${method} ${url}`).toBe(status);
      }
    }
    const [row] = await api.db.db.select().from(staff).where(eq(staff.id, clin.id));
    expect(row?.roles).toEqual(['clinician']);
  });
});

describe('POST /v1/staff', () => {
  it('creates a staff member with an argon2id credential (username and e-mail lower-case); they can sign in', async () => {
    const input = body({
      username: '  Dra.Lopez ',
      email: 'Dra.Lopez@Clinic.Example',
      roles: ['clinician', 'admin'],
      password: STRONG,
    });
    const res = await asAdmin('POST', '/v1/staff', input);
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      username: 'dra.lopez',
      email: 'dra.lopez@clinic.example',
      roles: ['clinician', 'admin'],
      blocked: false,
      mfaEnabled: false,
    });
    expect(JSON.stringify(created)).not.toMatch(/password|hash/i);
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.staffId, created.id));
    expect(cred?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await api.auditOf(res))[0]).toMatchObject({
      action: 'staff.create',
      resourceId: String(created.id),
      actorId: adminId,
    });
    const signedIn = await login('DRA.LOPEZ', STRONG);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().user).toMatchObject({ kind: 'staff', roles: ['clinician', 'admin'] });
  });

  it('without a password, sends a set-password invitation', async () => {
    const res = await asAdmin('POST', '/v1/staff', body({ roles: ['assistant'] }));
    expect(res.statusCode).toBe(201);
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.staffId, res.json().id));
    await expectInvitedOnly(api.db, cred);
  });

  it.each([
    ['username', { username: 'ab' }],
    ['username', { username: 'no spaces allowed' }],
    ['username', { username: 'x'.repeat(51) }],
    ['email', { email: 'nope' }],
    ['roles', { roles: [] }],
    ['roles', { roles: ['patient'] }],
    ['roles', { roles: ['admin', 'admin'] }],
    ['password', { password: 'short-pass1' }],
    ['password', { password: 'nurse-username-secret' }],
    ['blocked', { blocked: true }],
  ])('400 naming %s (%j); nothing written', async (field, overrides) => {
    const input: Record<string, unknown> = body(overrides);
    if (input.password === 'nurse-username-secret') input.password = `${input.username}-secret-phrase`;
    const before = await staffCount();
    const res = await asAdmin('POST', '/v1/staff', input);
    expect(res.statusCode, res.body).toBe(400);
    expect(Object.keys(res.json().errors).some((k) => k.startsWith(`body.${field}`))).toBe(true);
    expect(await staffCount()).toBe(before);
  });

  it('409 naming username or e-mail when taken (any case); nothing written', async () => {
    const existing = await createStaff(api.db.db);
    const before = await staffCount();
    const byName = await asAdmin('POST', '/v1/staff', body({ username: existing.username.toUpperCase() }));
    expect(byName.statusCode).toBe(409);
    expect(byName.json().errors).toEqual({ 'body.username': 'is already in use' });
    const byEmail = await asAdmin('POST', '/v1/staff', body({ email: existing.email }));
    expect(byEmail.json().errors).toEqual({ 'body.email': 'is already in use' });
    expect(await staffCount()).toBe(before);
  });
});

describe('GET /v1/staff', () => {
  it('lists with filters, total and bounded pages', async () => {
    const tag = `zz${process.pid % 1000}x`;
    await createStaff(api.db.db, { username: `${tag}.a`, roles: ['assistant'] });
    await createStaff(api.db.db, { username: `${tag}.b`, roles: ['clinician'] });
    const all = await asAdmin('GET', `/v1/staff?q=${tag}`);
    expect(all.json().total).toBe(2);
    const clinicians = await asAdmin('GET', `/v1/staff?q=${tag}&role=clinician`);
    expect(clinicians.json().data.map((s: { username: string }) => s.username)).toEqual([`${tag}.b`]);
    expect((await asAdmin('GET', '/v1/staff?perPage=500')).statusCode).toBe(400);
    expect((await asAdmin('GET', `/v1/staff/${adminId}`)).json()).toMatchObject({ id: adminId, roles: ['admin'] });
    expect((await asAdmin('GET', '/v1/staff/999999')).statusCode).toBe(404);
  });
});

describe('PATCH /v1/staff/:id', () => {
  it('changes name and e-mail without ending sessions; audits field names', async () => {
    const s = await createStaff(api.db.db, { password: STRONG });
    const token = (await login(s.username, STRONG)).json().accessToken;
    const res = await asAdmin('PATCH', `/v1/staff/${s.id}`, { name: 'Nuevo Nombre', email: `NEW.${s.email}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Nuevo Nombre', email: `new.${s.email}` });
    expect((await api.auditOf(res)).find((r) => r.action === 'staff.update')?.details).toMatchObject({
      changed: ['email', 'name'],
      revokedSessions: 0,
    });
    expect((await api.app.inject({ url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('a change of roles revokes every session of that person (tokens carry roles)', async () => {
    const s = await createStaff(api.db.db, { roles: ['assistant'], password: STRONG });
    const token = (await login(s.username, STRONG)).json().accessToken;
    const res = await asAdmin('PATCH', `/v1/staff/${s.id}`, { roles: ['assistant', 'clinician'] });
    expect(res.statusCode).toBe(200);
    expect(res.json().roles).toEqual(['assistant', 'clinician']);
    const after = await api.app.inject({ url: '/v1/me', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('session_revoked');
    const update = (await api.auditOf(res)).find((r) => r.action === 'staff.update');
    expect(update?.details).toMatchObject({
      changed: ['roles'],
      rolesAfter: ['assistant', 'clinician'],
      revokedSessions: 1,
    });
    expect((await login(s.username, STRONG)).json().user.roles).toEqual(['assistant', 'clinician']);
  });

  it('blocking ends sessions and refuses login; unblocking restores it', async () => {
    const s = await createStaff(api.db.db, { password: STRONG });
    const token = (await login(s.email, STRONG)).json().accessToken;
    expect((await asAdmin('PATCH', `/v1/staff/${s.id}`, { blocked: true })).json().blocked).toBe(true);
    expect((await api.app.inject({ url: '/v1/me', headers: bearer(token) })).json().code).toBe('session_revoked');
    const refused = await login(s.email, STRONG);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('account_blocked');
    expect((await asAdmin('PATCH', `/v1/staff/${s.id}`, { blocked: false })).statusCode).toBe(200);
    expect((await login(s.email, STRONG)).statusCode).toBe(200);
  });

  it('an admin cannot remove their own admin role nor block themselves (409); nothing changes', async () => {
    const demote = await asAdmin('PATCH', `/v1/staff/${adminId}`, { roles: ['clinician'] });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('self_lockout');
    const block = await asAdmin('PATCH', `/v1/staff/${adminId}`, { blocked: true });
    expect(block.statusCode).toBe(409);
    const [row] = await api.db.db.select().from(staff).where(eq(staff.id, adminId));
    expect(row).toMatchObject({ roles: ['admin'], blocked: false });
    expect((await asAdmin('GET', '/v1/staff')).statusCode).toBe(200);
  });

  it('another admin may demote an admin', async () => {
    const other = await createStaff(api.db.db, { roles: ['admin'] });
    const res = await asAdmin('PATCH', `/v1/staff/${other.id}`, { roles: ['assistant'] });
    expect(res.statusCode).toBe(200);
    expect(res.json().roles).toEqual(['assistant']);
  });

  it('refuses the username, unknown fields and taken e-mails; unknown id is 404', async () => {
    const a = await createStaff(api.db.db);
    const b = await createStaff(api.db.db);
    expect((await asAdmin('PATCH', `/v1/staff/${b.id}`, { username: 'renamed' })).json().errors).toHaveProperty(
      'body.username',
    );
    expect((await asAdmin('PATCH', `/v1/staff/${b.id}`, { password: STRONG })).statusCode).toBe(400);
    const dup = await asAdmin('PATCH', `/v1/staff/${b.id}`, { email: a.email.toUpperCase() });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual({ 'body.email': 'is already in use' });
    expect((await asAdmin('PATCH', '/v1/staff/999999', { name: 'X' })).statusCode).toBe(404);
    const [row] = await api.db.db.select().from(staff).where(eq(staff.id, b.id));
    expect(row?.email).toBe(b.email);
  });
});
