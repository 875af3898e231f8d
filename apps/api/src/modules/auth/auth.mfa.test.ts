/** TOTP MFA (security.md AU-4, AU-6, AU-7): enrollment, login step-up, replay, recovery, staff policy. */
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, clinician, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, credentials, mfaRecoveryCodes } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { decrypt } from './auth.secrets.js';

// 5 s into a 30 s step, so "one step earlier/later" never straddles a boundary.
const clock = new ManualClock('2026-01-15T12:00:05.000Z');
const STEP_MS = 30_000;

const api = useTestApp({ clock });

type Inject = FastifyInstance['inject'];
const via = (a: FastifyInstance): Inject => a.inject.bind(a) as Inject;

/** The TOTP code of `secret` at the app clock, `steps` time steps away. */
const codeAt = (secret: string, steps = 0) =>
  generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + steps * 30 });
const login = (identifier: string, password: string, inject = via(api.app)) =>
  inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password } });
const post = (url: string, token: string, payload: object, inject = via(api.app)) =>
  inject({ method: 'POST', url, headers: bearer(token), payload });
const verify = (payload: object, inject = via(api.app)) =>
  inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload });
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));

type Person = { username?: string; dni?: string; password: string; credential: { id: number } };
const idOf = (p: Person) => p.username ?? p.dni ?? '';

/** Signs in (no MFA yet), sets up and enables MFA; the clock is then moved to a fresh step. */
async function enroll(p: Person, inject = via(api.app)) {
  const token = (await login(idOf(p), p.password, inject)).json().accessToken as string;
  const setup = await post('/v1/auth/mfa/totp/setup', token, { password: p.password }, inject);
  expect(setup.statusCode).toBe(200);
  const { secret } = setup.json();
  const enable = await post('/v1/auth/mfa/totp/enable', token, { code: await codeAt(secret) }, inject);
  expect(enable.statusCode).toBe(200);
  clock.advance(STEP_MS);
  return { token, secret: secret as string, recoveryCodes: enable.json().recoveryCodes as string[] };
}

async function challenge(p: Person, inject = via(api.app)): Promise<string> {
  const res = await login(idOf(p), p.password, inject);
  expect(res.json()).toMatchObject({ mfaRequired: true, expiresIn: 300 });
  return res.json().mfaToken;
}

async function auditRows(action: string, credentialId: number) {
  const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.id, credentialId));
  const id = cred?.staffId ?? cred?.patientId ?? 0;
  return api.db.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.resourceId, String(id))))
    .orderBy(auditEvents.id);
}

describe('TOTP enrollment and login', () => {
  it('setup needs the password, enable needs a valid code, login then needs the second factor', async () => {
    const s = await createStaff(api.db.db);
    const first = (await login(s.username, s.password)).json();
    const other = (await login(s.username, s.password)).json();
    expect(first.user.mfaEnabled).toBe(false);

    const wrongPassword = await post('/v1/auth/mfa/totp/setup', first.accessToken, { password: 'not-it-at-all' });
    expect(wrongPassword.statusCode).toBe(400);
    expect(wrongPassword.json().code).toBe('invalid_current_password');

    const setup = await post('/v1/auth/mfa/totp/setup', first.accessToken, { password: s.password });
    expect(setup.statusCode).toBe(200);
    const { secret, otpauthUri } = setup.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toMatch(new RegExp(`^otpauth://totp/Diabetify:${s.username}\\?secret=${secret}&`));
    expect(otpauthUri).toContain('issuer=Diabetify');

    // Stored encrypted and not yet enabled.
    const [pending] = await api.db.db.select().from(credentials).where(eq(credentials.id, s.credential.id));
    expect(pending?.mfaEnabledAt).toBeNull();
    expect(pending?.mfaSecretEnc).not.toContain(secret);
    expect(decrypt(api.app.secrets, pending?.mfaSecretEnc ?? '')).toBe(secret);
    expect((await login(s.username, s.password)).json().accessToken).toBeTypeOf('string');

    const wrongCode = await post('/v1/auth/mfa/totp/enable', first.accessToken, { code: await codeAt(secret, 3) });
    expect(wrongCode.statusCode).toBe(400);
    expect(wrongCode.json().code).toBe('invalid_mfa_code');

    const enableCode = await codeAt(secret);
    const enable = await post('/v1/auth/mfa/totp/enable', first.accessToken, { code: enableCode });
    expect(enable.statusCode).toBe(200);
    const codes: string[] = enable.json().recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    const stored = await api.db.db
      .select()
      .from(mfaRecoveryCodes)
      .where(eq(mfaRecoveryCodes.credentialId, s.credential.id));
    expect(stored).toHaveLength(10);
    for (const row of stored) expect(codes.some((c) => row.codeHash.includes(c.replace('-', '')))).toBe(false);
    const enableAudit = await auditRows('auth.mfa_enable', s.credential.id);
    expect(enableAudit.map((r) => [r.outcome, r.details.reason ?? null])).toEqual([
      ['failure', 'invalid_code'],
      ['success', null],
    ]);

    // The enrolling session goes on; sessions opened with the password alone were ended.
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(first.accessToken) })).statusCode).toBe(
      200,
    );
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(other.accessToken) })).statusCode).toBe(
      401,
    );
    const again = await post('/v1/auth/mfa/totp/setup', first.accessToken, { password: s.password });
    expect(again.statusCode).toBe(409);

    // Password alone no longer signs in; the code used to enable cannot be used again.
    const mfaToken = await challenge(s);
    const replayOfEnable = await verify({ mfaToken, code: enableCode });
    expect(replayOfEnable.statusCode).toBe(401);
    expect(replayOfEnable.json().code).toBe('invalid_mfa_code');

    clock.advance(STEP_MS);
    const code = await codeAt(secret);
    const ok = await verify({ mfaToken, code });
    expect(ok.statusCode).toBe(200);
    const tokens = ok.json();
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: s.id, mfaEnabled: true } });
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(claims(tokens.accessToken).amr).toEqual(['pwd', 'otp']);
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(tokens.accessToken) })).statusCode).toBe(
      200,
    );

    // The challenge is single use, and so is the code (replay on a new challenge).
    clock.advance(STEP_MS);
    const reused = await verify({ mfaToken, code: await codeAt(secret) });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().code).toBe('invalid_mfa_token');
    const second = await challenge(s);
    clock.advance(-STEP_MS);
    const replay = await verify({ mfaToken: second, code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('invalid_mfa_code');
    const failures = (await auditRows('auth.mfa_verify', s.credential.id)).filter((r) => r.outcome === 'failure');
    expect(failures.map((r) => r.details.reason)).toEqual(expect.arrayContaining(['replay', 'challenge_used']));
  });

  it('accepts codes one step early or late, refuses two steps old', async () => {
    const s = await createStaff(api.db.db);
    const { secret } = await enroll(s);
    const mfaToken = await challenge(s);
    clock.advance(3 * STEP_MS);
    expect((await verify({ mfaToken, code: await codeAt(secret, -2) })).statusCode).toBe(401);
    expect((await verify({ mfaToken, code: await codeAt(secret, 2) })).statusCode).toBe(401);
    expect((await verify({ mfaToken, code: await codeAt(secret, -1) })).statusCode).toBe(200);
    const next = await challenge(s);
    expect((await verify({ mfaToken: next, code: await codeAt(secret, 1) })).statusCode).toBe(200);
    // The late step is now spent; the current one is older than it, so it is refused too.
    const third = await challenge(s);
    expect((await verify({ mfaToken: third, code: await codeAt(secret, 0) })).statusCode).toBe(401);
  });

  it('a recovery code works once (any case, with or without the dash)', async () => {
    const p = await createPatient(api.db.db);
    const { recoveryCodes } = await enroll(p);
    const code = recoveryCodes[0] ?? '';
    const first = await verify({ mfaToken: await challenge(p), recoveryCode: code.toUpperCase() });
    expect(first.statusCode).toBe(200);
    expect(first.json().user).toMatchObject({ id: p.id, kind: 'patient' });
    const again = await verify({ mfaToken: await challenge(p), recoveryCode: code.replace('-', '') });
    expect(again.statusCode).toBe(401);
    const used = await api.db.db
      .select()
      .from(mfaRecoveryCodes)
      .where(eq(mfaRecoveryCodes.credentialId, p.credential.id));
    expect(used.filter((r) => r.usedAt !== null)).toHaveLength(1);
    const both = await verify({ mfaToken: await challenge(p), recoveryCode: recoveryCodes[1], code: '123456' });
    expect(both.statusCode).toBe(400);
  });

  it('a challenge older than 5 minutes is refused', async () => {
    const s = await createStaff(api.db.db);
    const { secret } = await enroll(s);
    const mfaToken = await challenge(s);
    clock.advance(5 * 60_000 + 1000);
    const res = await verify({ mfaToken, code: await codeAt(secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_mfa_token');
    expect((await verify({ mfaToken: 'mfa_not-a-real-challenge-token', code: '123456' })).statusCode).toBe(401);
  });

  it('two concurrent uses of one code: exactly one succeeds', async () => {
    const s = await createStaff(api.db.db);
    const { secret } = await enroll(s);
    const [a, b] = [await challenge(s), await challenge(s)];
    const code = await codeAt(secret);
    const results = await Promise.all([verify({ mfaToken: a, code }), verify({ mfaToken: b, code })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('five wrong codes burn the challenge; repeated failures lock the account with Retry-After', async () => {
    const s = await createStaff(api.db.db);
    const { secret } = await enroll(s);
    const mfaToken = await challenge(s);
    for (let i = 0; i < 5; i++) {
      expect((await verify({ mfaToken, code: await codeAt(secret, 5) })).statusCode).toBe(401);
    }
    const burned = await verify({ mfaToken, code: await codeAt(secret) });
    expect(burned.statusCode).toBe(401);
    expect(burned.json().code).toBe('invalid_mfa_token');
    const next = await challenge(s);
    for (let i = 0; i < 5; i++) await verify({ mfaToken: next, code: await codeAt(secret, 5) });
    // Ten failures on the account (the login lockout setting): even the right code now gets 429.
    const locked = await verify({ mfaToken: await challenge(s), code: await codeAt(secret) });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const lockouts = await auditRows('auth.lockout', s.credential.id);
    expect(lockouts.map((r) => r.details.factor)).toEqual(['mfa']);
  });
});

describe('disabling MFA', () => {
  it('needs the password and a code, clears everything and ends the other sessions', async () => {
    const p = await createPatient(api.db.db);
    const { token, secret } = await enroll(p);
    const other = (await verify({ mfaToken: await challenge(p), code: await codeAt(secret) })).json().accessToken;
    clock.advance(STEP_MS);
    const url = '/v1/auth/mfa/totp/disable';
    const badPassword = await post(url, token, { password: 'wrong-password!', code: await codeAt(secret) });
    expect(badPassword.json().code).toBe('invalid_current_password');
    const badCode = await post(url, token, { password: p.password, code: await codeAt(secret, 4) });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().code).toBe('invalid_mfa_code');
    const ok = await post(url, token, { password: p.password, code: await codeAt(secret) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ disabled: true });
    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.id, p.credential.id));
    expect(cred).toMatchObject({ mfaSecretEnc: null, mfaEnabledAt: null, mfaLastStep: null });
    const codes = await api.db.db
      .select()
      .from(mfaRecoveryCodes)
      .where(eq(mfaRecoveryCodes.credentialId, p.credential.id));
    expect(codes).toHaveLength(0);
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(other) })).statusCode).toBe(401);
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(token) })).statusCode).toBe(200);
    expect((await login(p.dni, p.password)).json().accessToken).toBeTypeOf('string');
    expect(await auditRows('auth.mfa_disable', p.credential.id)).toHaveLength(3);
  });
});

describe('REQUIRE_STAFF_MFA=true', () => {
  let strict: FastifyInstance;
  beforeAll(async () => {
    strict = await buildTestApp({ db: api.db, clock, env: { REQUIRE_STAFF_MFA: 'true' } });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('staff without MFA reach only enrollment, logout and nothing else until they enroll', async () => {
    const s = await createStaff(api.db.db);
    const inject = via(strict);
    const token = (await login(s.username, s.password, inject)).json().accessToken;
    const blocked = await strict.inject({ url: '/v1/auth/sessions', headers: bearer(token) });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('mfa_enrollment_required');
    const forged = await tokenFor(strict, clinician(90_001));
    expect((await strict.inject({ url: '/v1/auth/sessions', headers: bearer(forged) })).statusCode).toBe(403);

    const setup = await post('/v1/auth/mfa/totp/setup', token, { password: s.password }, inject);
    expect(setup.statusCode).toBe(200);
    const { secret } = setup.json();
    const enable = await post('/v1/auth/mfa/totp/enable', token, { code: await codeAt(secret) }, inject);
    expect(enable.statusCode).toBe(200);
    // Enrolled: the same session now reaches everything; disabling is refused by policy.
    expect((await strict.inject({ url: '/v1/auth/sessions', headers: bearer(token) })).statusCode).toBe(200);
    const disable = await post('/v1/auth/mfa/totp/disable', token, { password: s.password, code: '000000' }, inject);
    expect(disable.statusCode).toBe(409);
    expect(disable.json().code).toBe('mfa_required_by_policy');

    clock.advance(STEP_MS);
    const mfaToken = await challenge(s, inject);
    const tokens = (await verify({ mfaToken, code: await codeAt(secret) }, inject)).json();
    expect((await strict.inject({ url: '/v1/auth/sessions', headers: bearer(tokens.accessToken) })).statusCode).toBe(
      200,
    );
  });

  it('logout stays reachable, and patients are not affected', async () => {
    const s = await createStaff(api.db.db);
    const token = (await login(s.username, s.password, via(strict))).json().accessToken;
    const out = await strict.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) });
    expect(out.statusCode).toBe(200);
    const p = await createPatient(api.db.db);
    const pt = (await login(p.dni, p.password, via(strict))).json().accessToken;
    expect((await strict.inject({ url: '/v1/auth/sessions', headers: bearer(pt) })).statusCode).toBe(200);
  });
});
