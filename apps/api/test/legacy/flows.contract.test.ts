/**
 * Full mobile-app flows over the two legacy listeners (issue 5 item 7): what one installed app and
 * the clinic's back-office do in sequence, end to end.
 */
import { describe, expect, it } from 'vitest';
import {
  appointmentForm,
  call,
  createReading,
  expectAppointment,
  expectBusinessError,
  expectGatewayUser,
  expectQueueEntry,
  expectReading,
  expectResolution,
  expectStatus,
  login,
  newPatient,
  parseLegacyDate,
  resetQueue,
  resolutionForm,
  submit,
  useLegacy,
  type Wire,
} from './harness.js';

const h = useLegacy();

const state = async (token: string) => (await call(h.gateway, 'GET', '/appointments/state', { token })).body;
const placement = async (token: string) => (await call(h.gateway, 'GET', '/appointments/placement', { token })).body;

describe('mobile flows', () => {
  it('login → /users/me → readings → /glucose/mine → streak → submit → accept → appointment → resolution', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);

    // The app logs in, then reads the profile (the token answer carries no user data).
    const tokens = await login(h.gateway, p.dni, p.password);
    const token = tokens.access_token;
    const me = await call(h.gateway, 'GET', '/users/me', { token });
    expectStatus(me, 200);
    expectGatewayUser(me.body);
    expect(me.body).toMatchObject({ dni: p.dni, email: p.email, blocked: false, times_measured: 0 });

    // Readings: one now, one back-dated two days (query string with created_at), three more now.
    const backdatedAt = new Date(h.clock.now().getTime() - 2 * 86_400_000);
    backdatedAt.setUTCMilliseconds(0);
    const created: Wire[] = [];
    created.push(
      (await createReading(h, token, { glucose_level: '120', reading_type: 'DESAYUNO', notes: 'ayunas' })).body,
    );
    const backdated = await createReading(h, token, {
      glucose_level: '95',
      reading_type: 'CENA',
      notes: 'cargada tarde',
      created_at: backdatedAt.toISOString(),
    });
    expectStatus(backdated, 201);
    expect(parseLegacyDate(backdated.body.created_at)).toBe(backdatedAt.getTime());
    created.push(backdated.body);
    for (const [level, type] of [
      ['140', 'ALMUERZO'],
      ['110', 'MERIENDA'],
      ['160', 'CENA'],
    ] as const) {
      const r = await createReading(h, token, { glucose_level: level, reading_type: type });
      expectStatus(r, 201);
      expectReading(r.body);
      created.push(r.body);
    }
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token });
    expectStatus(mine, 200);
    expect(mine.body.readings).toHaveLength(5);
    expect(mine.body.readings[0]).toEqual(backdated.body);
    const times = mine.body.readings.map((r: Wire) => parseLegacyDate(r.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(mine.body.readings.map((r: Wire) => r.id))).toEqual(new Set(created.map((r) => r.id)));

    // Four readings today: the streak advanced; the back-dated one counts in times_measured only.
    const streak = await call(h.gateway, 'GET', '/achievements/streak/', { token });
    expect(streak.body).toMatchObject({ streak: 1, max_streak: 1, four_times_today: 0 });
    const after = (await call(h.gateway, 'GET', '/users/me', { token })).body;
    expect(after).toMatchObject({ times_measured: 5, streak: 1, max_streak: 1 });
    const achievements = (await call(h.gateway, 'GET', '/achievements/', { token })).body;
    expect(achievements.find((a: Wire) => a.ach_id === 1)).toMatchObject({ got: true, progress: 1 });

    // Queue: submit (placement 0 after the clear), the back-office sees it pending and accepts it.
    expect(await state(token)).toBe('NONE');
    const submitted = await submit(h, token);
    expectStatus(submitted, 201);
    expect(submitted.body).toBe(0);
    expect([await state(token), await placement(token)]).toEqual(['PENDING', 0]);
    const pending = await call(h.backoffice, 'GET', '/appointments/pending', { token: h.admin });
    pending.body.forEach(expectQueueEntry);
    expect(pending.body).toContainEqual({ queue_placement: 0, user_id: p.userId, appointment_state: 'PENDING' });
    const accepted = await call(h.backoffice, 'PUT', `/appointments/accept/${submitted.body}`, { token: h.admin });
    expectStatus(accepted, 201);
    expect(accepted.body).toBe(true);
    expect([await state(token), await placement(token)]).toEqual(['ACCEPTED', -1]);

    // The patient sends the form; the clinician answers; the state stays CREATED.
    const appointment = await call(h.gateway, 'POST', '/appointments/create', { token, json: appointmentForm() });
    expectStatus(appointment, 201);
    expectAppointment(appointment.body);
    expect(await state(token)).toBe('CREATED');
    const id = appointment.body.appointment_id;
    expect((await call(h.gateway, 'GET', '/appointments/mine', { token })).body).toEqual([appointment.body]);
    const notYet = await call(h.gateway, 'GET', `/appointments/${id}/resolution`, { token });
    expectStatus(notYet, 404);
    const mails = h.mailer.messages.length;
    const resolution = await call(h.backoffice, 'POST', '/appointments/create_resolution', {
      token: h.admin,
      json: resolutionForm(id),
    });
    expectStatus(resolution, 201);
    const seen = await call(h.gateway, 'GET', `/appointments/${id}/resolution`, { token });
    expectStatus(seen, 200);
    expectResolution(seen.body);
    // The patient reads the resolution as the clinic sent it (the basal time is not compared here).
    const { change_basal_time: _time, ...sent } = resolutionForm(id);
    expect(seen.body).toMatchObject(sent);
    expect(await state(token)).toBe('CREATED');
    await h.mailer.flush();
    expect(h.mailer.messages.slice(mails).map((m) => m.to)).toContain(p.email);
  });

  it('deny flow: denied, −1, re-submit refused (500) until the queue is cleared, then placement 0', async () => {
    await resetQueue(h, h.admin);
    const other = await newPatient(h, h.admin);
    const p = await newPatient(h, h.admin);
    expect((await submit(h, other.token)).body).toBe(0);
    const mine = await submit(h, p.token);
    expect(mine.body).toBe(1);
    const denied = await call(h.backoffice, 'PUT', `/appointments/deny/${mine.body}`, { token: h.admin });
    expectStatus(denied, 201);
    expect(denied.text).toBe('true');
    expect([await state(p.token), await placement(p.token)]).toEqual(['DENIED', -1]);
    expect(await placement(other.token)).toBe(0);
    const again = await submit(h, p.token);
    expectStatus(again, 500);
    expect(again.body).toEqual({ detail: 'Appointment already exists in queue' });
    const early = await call(h.gateway, 'POST', '/appointments/create', { token: p.token, json: appointmentForm() });
    expectBusinessError(early, /accepted|denied/i);
    expectStatus(await call(h.backoffice, 'DELETE', '/appointments', { token: h.admin }), 204);
    expect([await state(p.token), await state(other.token)]).toEqual(['NONE', 'NONE']);
    const fresh = await submit(h, p.token);
    expectStatus(fresh, 201);
    expect(fresh.body).toBe(0);
  });

  it('queue full, then closed: both refused with the texts the app matches (4xx, never 403)', async () => {
    await resetQueue(h, h.admin, 1);
    const [a, b] = [await newPatient(h, h.admin), await newPatient(h, h.admin)];
    expect((await call(h.backoffice, 'GET', '/appointments/queue/size', { token: h.admin })).body).toBe(1);
    expect((await submit(h, a.token)).body).toBe(0);
    expectBusinessError(await submit(h, b.token), /Appointment Queue Full/);
    expect(await state(b.token)).toBe('NONE');
    await resetQueue(h, h.admin);
    expectStatus(await call(h.backoffice, 'POST', '/appointments/queue/close', { token: h.admin }), [200, 201, 204]);
    expect((await call(h.gateway, 'GET', '/appointments/queue/open', { token: b.token })).body).toBe(false);
    expectBusinessError(await submit(h, b.token), /Appointment Queue is not open/);
    expect(await state(b.token)).toBe('NONE');
    expectStatus(await call(h.backoffice, 'POST', '/appointments/queue/open', { token: h.admin }), [200, 201, 204]);
    expect((await submit(h, b.token)).body).toBe(0);
  });

  it('clear: everyone back to NONE, placements restart at 0, appointment records are kept', async () => {
    await resetQueue(h, h.admin);
    const [a, b] = [await newPatient(h, h.admin), await newPatient(h, h.admin)];
    expect((await submit(h, a.token)).body).toBe(0);
    expect((await submit(h, b.token)).body).toBe(1);
    expectStatus(await call(h.backoffice, 'PUT', '/appointments/accept/0', { token: h.admin }), 201);
    const made = await call(h.gateway, 'POST', '/appointments/create', { token: a.token, json: appointmentForm() });
    expectStatus(made, 201);
    const cleared = await call(h.backoffice, 'DELETE', '/appointments', { token: h.admin });
    expectStatus(cleared, 204);
    expect((await call(h.backoffice, 'GET', '/appointments/queue', { token: h.admin })).body).toEqual([]);
    expect([await state(a.token), await placement(a.token), await state(b.token), await placement(b.token)]).toEqual([
      'NONE',
      -1,
      'NONE',
      -1,
    ]);
    expect((await submit(h, b.token)).body).toBe(0);
    expect((await submit(h, a.token)).body).toBe(1);
    expect((await call(h.gateway, 'GET', '/appointments/mine', { token: a.token })).body).toEqual([made.body]);
    const latest = await call(h.backoffice, 'GET', `/appointments/from_user/latest/${a.userId}`, { token: h.admin });
    expect(latest.body).toEqual(made.body);
  });

  it('refresh rotation through /token: each refresh gives a new pair, used refresh tokens are refused', async () => {
    const p = await newPatient(h, h.admin);
    const r0 = await login(h.gateway, p.dni, p.password);
    const refresh = (token: string) =>
      call(h.gateway, 'POST', '/token', { form: { grant_type: 'refresh_token', refresh_token: token } });
    const r1 = await refresh(r0.refresh_token);
    expectStatus(r1, 200);
    const r2 = await refresh(r1.body.refresh_token);
    expectStatus(r2, 200);
    expect(new Set([r0.refresh_token, r1.body.refresh_token, r2.body.refresh_token]).size).toBe(3);
    const me = await call(h.gateway, 'GET', '/users/me', { token: r2.body.access_token });
    expectStatus(me, 200);
    expect(me.body.dni).toBe(p.dni);
    const stale = await refresh(r0.refresh_token);
    expectStatus(stale, 401);
    expect(stale.body).toEqual({ detail: 'Invalid or expired refresh token' });
  });

  it('password recovery: /forgot-password, the e-mailed token, /reset-password, then login with the new password', async () => {
    const p = await newPatient(h, h.admin);
    const before = h.mailer.messages.length;
    const forgot = await call(h.gateway, 'POST', '/forgot-password', { json: { email: p.email } });
    expectStatus(forgot, 200);
    await h.mailer.flush();
    const mail = h.mailer.messages.slice(before).find((m) => m.to === p.email);
    expect(mail, 'no recovery e-mail to the patient').toBeDefined();
    const match = /token=([^\s&#"'<>]+)/.exec(mail?.text ?? '');
    expect(match, mail?.text).not.toBeNull();
    const token = decodeURIComponent(match?.[1] ?? '');
    const newPassword = 'Nueva-Clave-Contrato-2026!';
    const reset = await call(h.gateway, 'POST', '/reset-password', { json: { token, new_password: newPassword } });
    expectStatus(reset, 200);
    expect(typeof reset.body.message).toBe('string');
    if (reset.body.status !== undefined) expect(reset.body.status).toBe('ok');
    const fresh = await login(h.gateway, p.dni, newPassword);
    expect(fresh.token_type).toBe('bearer');
    expectStatus(await call(h.gateway, 'POST', '/token', { form: { username: p.dni, password: p.password } }), 401);
    const reused = await call(h.gateway, 'POST', '/reset-password', {
      json: { token, new_password: 'Tercera-Clave-2026!' },
    });
    expectBusinessError(reused, /invalid|expired/i);
  });
});
