/**
 * Patient gateway profile and password recovery on the legacy instance built over a test app:
 * stored rows, audit rows, ignored fields, unique conflicts, and the forgot → e-mail → reset flow
 * with the token read from the message the memory mailer captured.
 */
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { patients } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { createMemoryMailer } from '../notifications/mailer.js';
import { FORGOT_ANSWER, RESET_ANSWER } from './gateway.users.routes.js';
import { buildLegacyApp } from './legacy.app.js';
import gatewayRoutes from './legacy.gateway.js';

let gw: FastifyInstance;
const clock = new ManualClock('2026-01-15T15:00:00.000Z');
const mailer = createMemoryMailer();
let seq = 0;

const api = useTestApp({ clock, mailer });

beforeAll(async () => {
  gw = await buildLegacyApp(api.app, 'gateway', gatewayRoutes);
});
afterAll(async () => {
  await gw.close();
});

async function newPatient(fields: Parameters<typeof createPatient>[1] = {}) {
  const p = await createPatient(api.db.db, fields);
  return { ...p, token: await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] }) };
}

function requestId() {
  seq += 1;
  return `gw-users-${seq}`;
}

const me = (token: string, rid = requestId()) =>
  gw.inject({ url: '/users/me', headers: { ...bearer(token), 'x-request-id': rid } });
const patchMe = (token: string, payload: object, rid = requestId()) =>
  gw.inject({ method: 'PATCH', url: '/users/me', headers: { ...bearer(token), 'x-request-id': rid }, payload });
const postJson = (url: string, payload: object, rid = requestId()) =>
  gw.inject({ method: 'POST', url, headers: { 'x-request-id': rid }, payload });
const stored = async (id: number) => (await api.db.db.select().from(patients).where(eq(patients.id, id)))[0];

describe('GET /users/me', () => {
  it('answers the legacy user without user_id; the read is audited', async () => {
    const p = await newPatient({ hospitalAccount: 'HC-1', tidepoolId: 'tp1', timesMeasured: 7, streakDays: 2 });
    const rid = requestId();
    const res = await me(p.token, rid);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      dni: p.dni,
      name: 'Ana',
      surname: 'Pérez',
      blocked: false,
      email: p.email,
      tidepool: 'tp1',
      hospital_account: 'HC-1',
      times_measured: 7,
      streak: 2,
      max_streak: 0,
    });
    const [audit] = await api.auditOf(rid);
    expect(audit).toMatchObject({ action: 'patients.read', patientId: p.id, actorId: p.id, outcome: 'success' });
  });

  it('refuses staff tokens and missing tokens with 401', async () => {
    const s = await createStaff(api.db.db, { roles: ['admin'] });
    const staffToken = await tokenFor(api.app, { kind: 'staff', id: s.id, roles: ['admin'] });
    for (const res of [await me(staffToken), await gw.inject({ url: '/users/me' })]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toHaveProperty('detail');
    }
    const patch = await patchMe(staffToken, { name: 'Staff' });
    expect(patch.statusCode).toBe(401);
  });
});

describe('PATCH /users/me', () => {
  it('changes name, surname and e-mail (canonical), answers the full user, audits; ignores the rest', async () => {
    const p = await newPatient({ hospitalAccount: 'HC-2' });
    const rid = requestId();
    const sent = mailer.messages.length;
    const res = await patchMe(
      p.token,
      {
        name: '  Lucía ',
        surname: 'Gómez',
        email: 'Lucia.Gomez@Patients.Example',
        dni: '11111111',
        hospital_account: 'HC-999',
        password: 'Otra-Clave-2026!',
        blocked: true,
        times_measured: 999,
        unknown_field: 'whatever',
      },
      rid,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      dni: p.dni,
      name: 'Lucía',
      surname: 'Gómez',
      blocked: false,
      email: 'lucia.gomez@patients.example',
      tidepool: null,
      hospital_account: 'HC-2',
      times_measured: 0,
      streak: 0,
      max_streak: 0,
    });
    expect(await stored(p.id)).toMatchObject({
      name: 'Lucía',
      surname: 'Gómez',
      email: 'lucia.gomez@patients.example',
      dni: p.dni,
      hospitalAccount: 'HC-2',
      blocked: false,
      timesMeasured: 0,
    });
    // The password did not change: the old one still signs in.
    const login = await gw.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: p.dni, password: p.password }).toString(),
    });
    expect(login.statusCode).toBe(200);
    const [audit] = await api.auditOf(rid);
    expect(audit).toMatchObject({ action: 'patients.update', patientId: p.id, actorId: p.id, outcome: 'success' });
    expect(audit?.details).toMatchObject({
      via: 'legacy_me',
      changed: ['email', 'name', 'surname'],
      ignored: ['dni', 'password', 'hospital_account', 'blocked', 'times_measured'],
    });
    expect((await me(p.token)).json()).toMatchObject({ name: 'Lucía', email: 'lucia.gomez@patients.example' });
    // The recovery address changed: its previous owner is told, and the new address is not revealed.
    await mailer.flush();
    const notices = mailer.messages.slice(sent);
    expect(notices.map((m) => m.to)).toEqual([p.email]);
    expect(notices[0]?.subject).toMatch(/e-mail/);
    expect(notices[0]?.text).not.toContain('lucia.gomez');
  });

  it('is partial: one field changes, the others stay', async () => {
    const p = await newPatient();
    const res = await patchMe(p.token, { surname: 'Nuevo' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Ana', surname: 'Nuevo', email: p.email, dni: p.dni });
  });

  it('a taken e-mail is a 400 saying "already", whatever its case; nothing changes', async () => {
    const p = await newPatient();
    const other = await newPatient();
    const res = await patchMe(p.token, { name: 'Cambiado', email: other.email.toUpperCase() });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/already/);
    expect(await stored(p.id)).toMatchObject({ name: 'Ana', email: p.email });
  });

  it('a hospital_account of another patient is ignored, so both stay unique', async () => {
    const other = await newPatient({ hospitalAccount: 'HC-TAKEN' });
    const p = await newPatient({ hospitalAccount: 'HC-MINE' });
    const res = await patchMe(p.token, { hospital_account: 'HC-TAKEN' });
    expect(res.statusCode).toBe(200);
    expect(res.json().hospital_account).toBe('HC-MINE');
    expect((await stored(other.id))?.hospitalAccount).toBe('HC-TAKEN');
  });

  it('an invalid e-mail or an empty name is a FastAPI 422 list; nothing changes', async () => {
    const p = await newPatient();
    const bad = await patchMe(p.token, { email: 'not-an-email' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0]).toMatchObject({ loc: ['body', 'email'] });
    const empty = await patchMe(p.token, { name: '   ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().detail[0]).toMatchObject({ loc: ['body', 'name'] });
    expect(await stored(p.id)).toMatchObject({ name: 'Ana', email: p.email });
  });
});

describe('password recovery', () => {
  const tokenIn = (text: string) => decodeURIComponent(/token=([^\s&#]+)/.exec(text)?.[1] ?? '');

  it('forgot → e-mailed token → reset: weak password refused (token kept), then set; sessions end', async () => {
    const p = await newPatient();
    const sent = mailer.messages.length;
    const forgot = await postJson('/forgot-password', { email: p.email.toUpperCase() });
    expect(forgot.statusCode).toBe(200);
    expect(forgot.headers['content-type']).toMatch(/^application\/json/);
    expect(forgot.body).toBe(JSON.stringify(FORGOT_ANSWER));
    await mailer.flush();
    const mail = mailer.messages.slice(sent).find((m) => m.to === p.email);
    const token = tokenIn(mail?.text ?? '');
    expect(token.length).toBeGreaterThan(20);
    // The old app reads the token from the query string (A.8), not from our fragment form.
    expect(mail?.text).toContain(`/reset-password?token=${encodeURIComponent(token)}`);

    const weak = await postJson('/reset-password', { token, new_password: 'abc123' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().detail).toMatch(/at least 8 characters/);
    const common = await postJson('/reset-password', { token, new_password: '12345678' });
    expect(common.statusCode).toBe(400);
    expect(common.json().detail).toMatch(/common/);

    const rid = requestId();
    const ok = await postJson('/reset-password', { token, new_password: 'Nueva-Clave-2026!' }, rid);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok', message: RESET_ANSWER });
    const audit = (await api.auditOf(rid)).find((a) => a.action === 'auth.password_reset');
    expect(audit).toMatchObject({ patientId: p.id, outcome: 'success' });
    // Every session ended: the old access token no longer works.
    expect((await me(p.token)).statusCode).toBe(401);
    const login = await gw.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: p.dni, password: 'Nueva-Clave-2026!' }).toString(),
    });
    expect(login.statusCode).toBe(200);

    const again = await postJson('/reset-password', { token, new_password: 'Otra-Clave-2026!' });
    expect(again.statusCode).toBe(400);
    expect(again.json().detail).toMatch(/invalid|expired/i);
  });

  it('answers the same for unknown addresses and mails nobody', async () => {
    const sent = mailer.messages.length;
    const res = await postJson('/forgot-password', { email: 'ghost@nowhere.example' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toBe(FORGOT_ANSWER);
    await mailer.flush();
    expect(mailer.messages.slice(sent)).toEqual([]);
  });

  it('an expired link is 400 "expired", never 401 or 403', async () => {
    const p = await newPatient();
    const sent = mailer.messages.length;
    await postJson('/forgot-password', { email: p.email });
    await mailer.flush();
    const token = tokenIn(mailer.messages.slice(sent).find((m) => m.to === p.email)?.text ?? '');
    clock.advance(16 * 60_000);
    const res = await postJson('/reset-password', { token, new_password: 'Nueva-Clave-2026!' });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/expired/i);
    const missing = await postJson('/reset-password', { token });
    expect(missing.statusCode).toBe(422);
  });
});
