/**
 * Forgot / reset / change password (security.md PR-1…PR-8, AU-4, RT-7). Mail goes to an
 * in-memory mailer here; mailer.test.ts covers real SMTP and the .eml file transport.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bearer } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { nextEvent, useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, credentials, passwordTokens } from '../../db/schema/index.js';
import { withTransaction } from '../../db/transaction.js';
import { ManualClock } from '../../lib/clock.js';
import { createMemoryMailer } from '../notifications/mailer.js';
import { RESET_MAIL_WINDOW_MS, RESET_MAILS_PER_ACCOUNT } from './auth.password.service.js';
import { passwordTokens as passwordLinks } from './index.js';

const clock = new ManualClock();
const mailer = createMemoryMailer();
const NEW_PASSWORD = 'otra-clave-nueva-2026';

const api = useTestApp({ clock, mailer });

// Each test speaks from its own address so the per-IP limits of one test never hit another.
let lastIp = 0;
const nextIp = () => `10.0.${Math.floor(++lastIp / 250)}.${(lastIp % 250) + 1}`;

const post = (url: string, payload: object, extra: { ip?: string; token?: string } = {}) =>
  api.app.inject({
    method: 'POST',
    url,
    payload,
    remoteAddress: extra.ip ?? nextIp(),
    ...(extra.token ? { headers: bearer(extra.token) } : {}),
  });
const forgot = (email: string, ip?: string) => post('/v1/auth/password/forgot', { email }, { ip });
const reset = (token: string, newPassword = NEW_PASSWORD) => post('/v1/auth/password/reset', { token, newPassword });
const login = (identifier: string, password: string) => post('/v1/auth/login', { identifier, password });

async function mailsTo(address: string) {
  await mailer.flush();
  return mailer.messages.filter((m) => m.to === address);
}

/** The token of the newest reset link mailed to `address`. */
async function lastLinkToken(address: string): Promise<string> {
  const links = (await mailsTo(address)).flatMap((m) => m.text.match(/https?:\/\/\S+#token=\S+/g) ?? []);
  const link = links.at(-1);
  if (!link) throw new Error(`no link mailed to ${address}`);
  return new URLSearchParams(new URL(link).hash.slice(1)).get('token') as string;
}

async function requestToken(email: string): Promise<string> {
  expect((await forgot(email)).statusCode).toBe(202);
  return lastLinkToken(email);
}

async function signIn(identifier: string, password: string) {
  const res = await login(identifier, password);
  expect(res.statusCode).toBe(200);
  return res.json() as { accessToken: string; refreshToken: string };
}

const sessionsWith = (token: string) => api.app.inject({ url: '/v1/auth/sessions', headers: bearer(token) });
const refreshWith = (refreshToken: string) => post('/v1/auth/refresh', { refreshToken });

/** After a password change or reset: this session is revoked (access and refresh) and only NEW_PASSWORD signs in. */
async function expectEndedByNewPassword(
  session: { accessToken: string; refreshToken: string },
  p: { dni: string; password: string },
): Promise<void> {
  const revoked = await sessionsWith(session.accessToken);
  expect(revoked.statusCode).toBe(401);
  expect(revoked.json().code).toBe('session_revoked');
  expect((await refreshWith(session.refreshToken)).statusCode).toBe(401);
  expect((await login(p.dni, p.password)).statusCode).toBe(401);
  expect((await login(p.dni, NEW_PASSWORD)).statusCode).toBe(200);
}

/**
 * Revocation reaches the session cache through the event bus (async over Redis): subscribe before
 * the change, then ask once the event has arrived, instead of polling against a stopwatch.
 */
const revocationReaches = () => nextEvent(api.app, 'sessions', 'revoked');

const auditRows = (action: string) => api.db.db.select().from(auditEvents).where(eq(auditEvents.action, action));

describe('forgot password', () => {
  it('an unknown and a known e-mail get the same status and body; only the known one gets a link', async () => {
    const p = await createPatient(api.db.db);
    const known = await forgot(p.email.toUpperCase());
    const unknown = await forgot('nadie@patients.example');
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.json()).toEqual({ status: 'accepted' });
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
    expect(await mailsTo(p.email)).toHaveLength(1);
    expect(await mailsTo('nadie@patients.example')).toHaveLength(0);
    const rows = await auditRows('auth.password_forgot');
    const mine = rows.find((r) => r.resourceId === String(p.id));
    // Typing someone's address proves nothing: the requester stays anonymous.
    expect(mine).toMatchObject({ actorRole: 'anonymous', outcome: 'success', patientId: p.id });
    expect(mine?.details).toMatchObject({ known: true, emailed: true });
    expect(rows.some((r) => r.details.known === false)).toBe(true);
  });

  it('changes nothing about the account until a token is used (PR-7)', async () => {
    const p = await createPatient(api.db.db);
    const session = await signIn(p.dni, p.password);
    await requestToken(p.email);
    const [after] = await api.db.db.select().from(credentials).where(eq(credentials.id, p.credential.id));
    expect(after?.passwordHash).toBe(p.credential.passwordHash);
    expect((await sessionsWith(session.accessToken)).statusCode).toBe(200);
    expect((await login(p.dni, p.password)).statusCode).toBe(200);
  });

  it(`mails at most ${RESET_MAILS_PER_ACCOUNT} links per account per 15 minutes, still answering 202`, async () => {
    const s = await createStaff(api.db.db);
    for (let i = 0; i < RESET_MAILS_PER_ACCOUNT + 1; i++) {
      const res = await forgot(s.email);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'accepted' });
    }
    expect(await mailsTo(s.email)).toHaveLength(RESET_MAILS_PER_ACCOUNT);
    const denied = (await auditRows('auth.password_forgot')).filter(
      (r) => r.resourceId === String(s.id) && r.outcome === 'denied',
    );
    expect(denied).toHaveLength(1);
    expect(denied[0]?.details).toMatchObject({ reason: 'account_limit', emailed: false });
    clock.advance(RESET_MAIL_WINDOW_MS);
    await forgot(s.email);
    expect(await mailsTo(s.email)).toHaveLength(RESET_MAILS_PER_ACCOUNT + 1);
  });

  it('limits requests per client address (429 after 10 a minute)', async () => {
    const ip = nextIp();
    for (let i = 0; i < 10; i++) expect((await forgot(`x${i}@nowhere.example`, ip)).statusCode).toBe(202);
    const limited = await forgot('x10@nowhere.example', ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('sends no link to a blocked account (same 202)', async () => {
    const p = await createPatient(api.db.db, { blocked: true });
    expect((await forgot(p.email)).statusCode).toBe(202);
    expect(await mailsTo(p.email)).toHaveLength(0);
  });
});

describe('reset password', () => {
  it('sets the password, ends every session, burns other links, audits and notifies (PR-5)', async () => {
    const p = await createPatient(api.db.db);
    const session = await signIn(p.dni, p.password);
    expect((await sessionsWith(session.accessToken)).statusCode).toBe(200);
    const older = await requestToken(p.email);
    const token = await requestToken(p.email);
    const reached = revocationReaches();
    const res = await reset(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'password_changed' });
    expect(res.headers['referrer-policy']).toBe('no-referrer');

    await reached;
    await expectEndedByNewPassword(session, p);
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.id, p.credential.id));
    expect(cred?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    expect((await reset(older, 'y-otra-clave-distinta-77')).statusCode).toBe(400);
    const outstanding = await api.db.db
      .select()
      .from(passwordTokens)
      .where(and(eq(passwordTokens.credentialId, p.credential.id)));
    expect(outstanding.every((t) => t.usedAt !== null)).toBe(true);

    const [audit] = (await auditRows('auth.password_reset')).filter(
      (r) => r.resourceId === String(p.id) && r.outcome === 'success',
    );
    expect(audit).toMatchObject({ actorRole: 'patient', actorId: p.id, patientId: p.id });
    expect(audit?.details).toMatchObject({ purpose: 'reset', revokedSessions: 1 });
    const notices = (await mailsTo(p.email)).filter((m) => m.subject.includes('password was changed'));
    expect(notices).toHaveLength(1);
  });

  it('a used token → 400 invalid_token, never 401 (PR-3, PR-8)', async () => {
    const p = await createPatient(api.db.db);
    const token = await requestToken(p.email);
    expect((await reset(token)).statusCode).toBe(200);
    const again = await reset(token, 'una-tercera-clave-99');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({
      code: 'invalid_token',
      detail: expect.stringContaining('invalid or expired'),
    });
    expect((await login(p.dni, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('an expired token (16 minutes later) → 400, and the password is unchanged', async () => {
    const p = await createPatient(api.db.db);
    const token = await requestToken(p.email);
    clock.advance(16 * 60_000);
    const res = await reset(token);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_token');
    expect((await login(p.dni, p.password)).statusCode).toBe(200);
  });

  it('a garbage token → 400 invalid_token; failures are audited', async () => {
    const res = await reset('not-a-real-token');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_token', detail: expect.stringContaining('invalid or expired') });
    const failures = (await auditRows('auth.password_reset')).filter((r) => r.outcome === 'failure');
    expect(failures.some((r) => r.details.reason === 'unknown_token')).toBe(true);
  });

  it('the policy applies (400 errors.newPassword) and a refused password does not spend the token', async () => {
    const p = await createPatient(api.db.db);
    const token = await requestToken(p.email);
    for (const weak of ['short', 'password1', `${p.dni}-abc`]) {
      const res = await reset(token, weak);
      expect(res.statusCode, weak).toBe(400);
      expect(res.json().errors?.newPassword, weak).toBeTruthy();
    }
    expect((await reset(token)).statusCode).toBe(200);
  });

  it('two concurrent uses of one token → exactly one 200 and one 400 (PR-3)', async () => {
    const p = await createPatient(api.db.db);
    const token = await requestToken(p.email);
    const results = await Promise.all([reset(token, 'carrera-uno-2026'), reset(token, 'carrera-dos-2026')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400]);
    const winner = results[0]?.statusCode === 200 ? 'carrera-uno-2026' : 'carrera-dos-2026';
    const loser = winner === 'carrera-uno-2026' ? 'carrera-dos-2026' : 'carrera-uno-2026';
    expect((await login(p.dni, winner)).statusCode).toBe(200);
    expect((await login(p.dni, loser)).statusCode).toBe(401);
    const successes = (await auditRows('auth.password_reset')).filter(
      (r) => r.resourceId === String(p.id) && r.outcome === 'success',
    );
    expect(successes).toHaveLength(1);
    // The loser was refused either at the lookup (winner already committed) or at the claim.
    const refused = (await auditRows('auth.password_reset')).filter(
      (r) => r.resourceId === String(p.id) && r.outcome === 'failure',
    );
    expect(refused.map((r) => r.details.reason)).toEqual([expect.stringMatching(/^(used|race)$/)]);
  });

  it('an invitation token sets the first password of an invited account', async () => {
    const p = await createPatient(api.db.db, { password: null });
    const token = await withTransaction(api.db.db, (tx) =>
      passwordLinks(api.app).issue(tx, { credentialId: p.credential.id, email: p.email, name: p.name }, 'invite'),
    );
    expect((await mailsTo(p.email))[0]?.text).toContain('/set-password#token=');
    expect((await reset(token)).statusCode).toBe(200);
    expect((await login(p.email, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it('does not bypass MFA: after a reset, login still asks for the second factor', async () => {
    const s = await createStaff(api.db.db);
    await api.db.db.update(credentials).set({ mfaEnabledAt: clock.now() }).where(eq(credentials.id, s.credential.id));
    const token = await requestToken(s.email);
    const res = await reset(token, 'clinica-clave-larga-2026');
    expect(res.json()).toEqual({ status: 'password_changed' });
    const next = await login(s.username, 'clinica-clave-larga-2026');
    expect(next.statusCode).toBe(200);
    expect(next.json()).toMatchObject({ mfaRequired: true });
    expect(next.json().accessToken).toBeUndefined();
  });
});

describe('change password', () => {
  it('keeps the current session, ends the others, audits and notifies (AU-4, RT-7)', async () => {
    const p = await createPatient(api.db.db);
    const mine = await signIn(p.dni, p.password);
    const other = await signIn(p.dni, p.password);
    const reached = revocationReaches();
    const res = await post(
      '/v1/auth/password/change',
      { currentPassword: p.password, newPassword: NEW_PASSWORD },
      { token: mine.accessToken },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'password_changed' });
    expect((await sessionsWith(mine.accessToken)).statusCode).toBe(200);
    expect((await refreshWith(mine.refreshToken)).statusCode).toBe(200);
    await reached;
    await expectEndedByNewPassword(other, p);
    const [audit] = (await auditRows('auth.password_change')).filter(
      (r) => r.resourceId === String(p.id) && r.outcome === 'success',
    );
    expect(audit?.details).toMatchObject({ revokedSessions: 1 });
    expect((await mailsTo(p.email)).some((m) => m.subject.includes('password was changed'))).toBe(true);
  });

  it('a wrong current password → 400 invalid_current_password (not 401), audited, nothing changes', async () => {
    const s = await createStaff(api.db.db);
    const { accessToken } = await signIn(s.username, s.password);
    const res = await post(
      '/v1/auth/password/change',
      { currentPassword: 'no-es-la-clave', newPassword: 'clinica-clave-larga-2026' },
      { token: accessToken },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_current_password');
    expect((await sessionsWith(accessToken)).statusCode).toBe(200);
    expect((await login(s.username, s.password)).statusCode).toBe(200);
    const failures = (await auditRows('auth.password_change')).filter(
      (r) => r.resourceId === String(s.id) && r.outcome === 'failure',
    );
    expect(failures).toHaveLength(1);
  });

  it('the policy applies and the new password must differ from the current one', async () => {
    const s = await createStaff(api.db.db);
    const { accessToken } = await signIn(s.username, s.password);
    for (const newPassword of [s.password, 'too-short-1']) {
      const res = await post(
        '/v1/auth/password/change',
        { currentPassword: s.password, newPassword },
        { token: accessToken },
      );
      expect(res.statusCode, newPassword).toBe(400);
      expect(res.json().errors?.newPassword, newPassword).toBeTruthy();
    }
  });

  it('requires authentication', async () => {
    const res = await post('/v1/auth/password/change', { currentPassword: 'a', newPassword: 'b' });
    expect(res.statusCode).toBe(401);
  });
});
