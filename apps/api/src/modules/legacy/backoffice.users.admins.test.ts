/**
 * Back-office admin accounts on the legacy listener (legacy-compat.md §B, §C.1), through `inject` on
 * a real back-office instance: /admin/me, creating admins, changing the caller's mail and password,
 * /recover, with stored rows, credentials, sessions, mail and audit rows. Patient users are in
 * backoffice.users.patients.test.ts; the wire shapes seen by the old clients are the contract
 * suite's (apps/api/test/legacy).
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createStaff, DEFAULT_PASSWORD } from '../../../test/factories.js';
import { bo, clinician, legacyAdmin, unique, useBackoffice } from '../../../test/fixtures/backoffice.users.js';
import { auditEvents, credentials, staff } from '../../db/schema/index.js';
import { verifyPassword } from '../auth/auth.passwords.js';
import { RECOVER_ANSWER } from './backoffice.admin.routes.js';

const { api, mailer } = useBackoffice();

describe('admins', () => {
  it('GET /admin/me answers {username, email} of the caller', async () => {
    const s = await createStaff(api.db.db, { roles: ['assistant'] });
    const reply = await api.callOn(bo, { kind: 'staff', id: s.id, roles: ['assistant'] }, 'GET', '/admin/me');
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual({ username: s.username, email: s.email });
  });

  it('POST /admin/ creates a staff account with the legacy admin roles (admin only); duplicates 400', async () => {
    const username = `oper${unique()}`;
    const body = { username, email: `${username}@clinic.example`, password: 'Backoffice-Admin-2026!' };
    expect((await api.callOn(bo, clinician, 'POST', '/admin/', body)).statusCode).toBe(403);
    const reply = await api.callOn(bo, legacyAdmin, 'POST', '/admin/', { ...body, username: username.toUpperCase() });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json()).toEqual({ username, email: body.email });
    const [row] = await api.db.db.select().from(staff).where(eq(staff.username, username));
    expect(row).toMatchObject({ name: username, blocked: false });
    expect([...(row?.roles ?? [])].sort()).toEqual(['admin', 'assistant', 'clinician']);
    const [audit] = await api.auditWhere({ action: 'staff.create', resourceId: row?.id });
    expect(audit).toMatchObject({ outcome: 'success', actorId: legacyAdmin.id });
    const again = await api.callOn(bo, legacyAdmin, 'POST', '/admin/', { ...body, email: `x${body.email}` });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ detail: 'Admin with this username already exists' });
  });

  it('POST /admin/ with a weak password is 422 and creates nobody', async () => {
    const username = `weak${unique()}`;
    const reply = await api.callOn(bo, legacyAdmin, 'POST', '/admin/', {
      username,
      email: `${username}@clinic.example`,
      password: 'admin',
    });
    expect(reply.statusCode).toBe(422);
    expect(reply.json().detail[0].loc).toEqual(['body', 'password']);
    expect(await api.db.db.select().from(staff).where(eq(staff.username, username))).toEqual([]);
  });

  it("PUT /admin/mail/change changes the caller's e-mail (admin only; taken address 400)", async () => {
    const s = await createStaff(api.db.db, { roles: ['admin'] });
    const other = await createStaff(api.db.db);
    const who: TokenFor = { kind: 'staff', id: s.id, roles: ['admin'] };
    const newMail = `Renamed-${unique()}@Clinic.example`;
    const reply = await api.callOn(bo, who, 'PUT', `/admin/mail/change?new_mail=${encodeURIComponent(newMail)}`);
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toEqual({ username: s.username, email: newMail.toLowerCase() });
    expect((await api.db.db.select().from(staff).where(eq(staff.id, s.id)))[0]?.email).toBe(newMail.toLowerCase());
    const taken = await api.callOn(bo, who, 'PUT', `/admin/mail/change?new_mail=${encodeURIComponent(other.email)}`);
    expect(taken.statusCode).toBe(400);
    expect(taken.json().detail).toMatch(/already exists/);
    const clin = await createStaff(api.db.db, { roles: ['clinician'] });
    const denied = await api.callOn(
      bo,
      {
        kind: 'staff',
        id: clin.id,
        roles: ['clinician'],
      },
      'PUT',
      '/admin/mail/change?new_mail=a%40b.example',
    );
    expect(denied.statusCode).toBe(403);
  });

  it("PUT /admin/password sets the caller's password without the current one: policy, sessions, mail, audit", async () => {
    const s = await createStaff(api.db.db, { roles: ['clinician'] });
    const who: TokenFor = { kind: 'staff', id: s.id, roles: ['clinician'] };
    const own = await tokenFor(api.app, who);
    const other = await tokenFor(api.app, who);
    const weak = await api.callOn(bo, own, 'PUT', '/admin/password?new_password=short');
    expect(weak.statusCode).toBe(422);
    expect(weak.json().detail[0].loc).toEqual(['query', 'new_password']);

    const newPassword = 'Backoffice-Changed-2026!';
    const mailsBefore = mailer.messages.length;
    const reply = await api.callOn(bo, own, 'PUT', `/admin/password?new_password=${encodeURIComponent(newPassword)}`);
    expect(reply.statusCode, reply.body).toBe(200);
    expect(typeof reply.json()).toBe('string');
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.staffId, s.id));
    expect(await verifyPassword(newPassword, cred?.passwordHash as string, 'argon2id')).toBe(true);
    expect(await verifyPassword(DEFAULT_PASSWORD, cred?.passwordHash as string, 'argon2id')).toBe(false);
    expect((await api.callOn(bo, own, 'GET', '/admin/me')).statusCode).toBe(200);
    expect((await api.callOn(bo, other, 'GET', '/admin/me')).statusCode).toBe(401);
    const [audit] = await api.auditWhere({ action: 'auth.password_change', resourceId: s.id });
    expect(audit?.details).toMatchObject({ currentPasswordChecked: false, via: 'legacy', revokedSessions: 1 });
    await mailer.flush();
    expect(mailer.messages.slice(mailsBefore).map((m) => m.to)).toEqual([s.email]);
  });

  it('POST /recover answers the same string for known, unknown and missing addresses; mails staff by username', async () => {
    const s = await createStaff(api.db.db);
    const mailsBefore = mailer.messages.length;
    for (const query of [
      `email=${encodeURIComponent(s.email)}`,
      'email=ghost%40nowhere.example',
      `username=${s.username}`,
      'username=nobody',
      '',
    ]) {
      const reply = await api.callOn(bo, null, 'POST', `/recover?${query}`);
      expect(reply.statusCode, query).toBe(200);
      expect(reply.json()).toBe(RECOVER_ANSWER);
    }
    await mailer.flush();
    expect(mailer.messages.slice(mailsBefore).map((m) => m.to)).toEqual([s.email, s.email]);
    const forgot = await api.db.db.select().from(auditEvents).where(eq(auditEvents.action, 'auth.password_forgot'));
    expect(forgot.length).toBe(4);
  });
});
