/**
 * Back-office gateway (legacy-compat.md §B): every [H] and [M] endpoint, as the React admin and the
 * operators' scripts call it, with the `admin`/`admin` account of the demo fixtures.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptedPatient,
  appointmentForm,
  call,
  createReading,
  expectAppointment,
  expectBusinessError,
  expectDetail,
  expectKeys,
  expectNotAuthenticated,
  expectQueueEntry,
  expectReading,
  expectResolution,
  expectStatus,
  expectTokenBody,
  login,
  newPatient,
  resetQueue,
  resolutionForm,
  submit,
  USER_FIELDS,
  unique,
  useLegacy,
  type Wire,
} from './harness.js';

const h = useLegacy();

const STRONG = 'Backoffice-Contract-2026!';

describe('B auth and admins', () => {
  it('POST /token logs admin/admin in with the password form', async () => {
    const body = await login(h.backoffice, 'admin', 'admin');
    expectTokenBody(body);
  });

  it('POST /token refuses a wrong admin password with 401', async () => {
    const reply = await call(h.backoffice, 'POST', '/token', { form: { username: 'admin', password: 'nimda' } });
    expectStatus(reply, 401);
    expectDetail(reply);
  });

  it('GET /admin/me returns {username, email}', async () => {
    const reply = await call(h.backoffice, 'GET', '/admin/me', { token: h.admin });
    expectStatus(reply, 200);
    expect(reply.body.username).toBe('admin');
    expect(typeof reply.body.email).toBe('string');
    expect(reply.body).not.toHaveProperty('password');
    expectNotAuthenticated(await call(h.backoffice, 'GET', '/admin/me'));
  });

  it('POST /admin/ creates an admin who can log in; mail and password changes apply to the caller', async () => {
    const username = `oper${unique()}`;
    const email = `${username}@clinic.example`;
    const created = await call(h.backoffice, 'POST', '/admin/', {
      token: h.admin,
      json: { username, email, password: STRONG },
    });
    expectStatus(created, [200, 201]);
    expect(created.body).toMatchObject({ username, email });
    expect(created.body).not.toHaveProperty('password');
    const token = (await login(h.backoffice, username, STRONG)).access_token;

    const newMail = `renamed-${unique()}@clinic.example`;
    const mail = await call(h.backoffice, 'PUT', `/admin/mail/change?new_mail=${encodeURIComponent(newMail)}`, {
      token,
    });
    expectStatus(mail, 200);
    expect(mail.body).toMatchObject({ username, email: newMail });
    expect((await call(h.backoffice, 'GET', '/admin/me', { token })).body).toMatchObject({ username, email: newMail });

    const newPassword = 'Backoffice-Changed-2026!';
    const pw = await call(h.backoffice, 'PUT', `/admin/password?new_password=${encodeURIComponent(newPassword)}`, {
      token,
    });
    expectStatus(pw, 200);
    expectStatus(await call(h.backoffice, 'POST', '/token', { form: { username, password: STRONG } }), 401);
    await login(h.backoffice, username, newPassword);
  });

  it('POST /recover always answers the string "Mail should be received anytime"', async () => {
    for (const query of ['email=admin%40nowhere.example', `email=ghost-${unique()}%40nowhere.example`]) {
      const reply = await call(h.backoffice, 'POST', `/recover?${query}`);
      expectStatus(reply, 200);
      expect(reply.body).toBe('Mail should be received anytime');
    }
  });
});

describe('B users', () => {
  it('GET /users/ lists every patient with user_id and the demo fixtures', async () => {
    const reply = await call(h.backoffice, 'GET', '/users/', { token: h.admin });
    expectStatus(reply, 200);
    expect(Array.isArray(reply.body)).toBe(true);
    for (const u of reply.body) {
      expectKeys(u, ['user_id', ...USER_FIELDS]);
      expect(Number.isInteger(u.user_id)).toBe(true);
      expect(typeof u.dni).toBe('string');
    }
    const dnis = reply.body.map((u: Wire) => u.dni);
    for (const dni of ['40123456', '40123457', '1000', '1001', '1002']) expect(dnis).toContain(dni);
    expect(reply.body.find((u: Wire) => u.dni === '1001').blocked).toBe(true);
    expectNotAuthenticated(await call(h.backoffice, 'GET', '/users/'));
  });

  it('POST /users/ creates a patient (UserSignUp) who logs in on the gateway; duplicates say "already"', async () => {
    const u = unique();
    const payload = {
      dni: `TEST${u}`,
      name: 'Nuevo',
      surname: 'Paciente',
      email: `new-${u}@patients.example`,
      password: 'Paciente-Contract-2026!',
      hospital_account: `H${u}`,
      blocked: false,
      tidepool: null,
    };
    const created = await call(h.backoffice, 'POST', '/users/', { token: h.admin, json: payload });
    expectStatus(created, [200, 201]);
    expectKeys(created.body, ['user_id', ...USER_FIELDS]);
    expect(created.body).toMatchObject({
      dni: payload.dni,
      name: 'Nuevo',
      surname: 'Paciente',
      email: payload.email,
      hospital_account: payload.hospital_account,
      blocked: false,
      times_measured: 0,
      streak: 0,
      max_streak: 0,
    });
    expect(created.body).not.toHaveProperty('password');
    await login(h.gateway, payload.dni, payload.password);
    const again = await call(h.backoffice, 'POST', '/users/', { token: h.admin, json: payload });
    expectBusinessError(again, /already/i);
  });

  it('GET /users/user/{user_id} returns the user without user_id; unknown id 404', async () => {
    const p = await newPatient(h, h.admin);
    const reply = await call(h.backoffice, 'GET', `/users/user/${p.userId}`, { token: h.admin });
    expectStatus(reply, 200);
    expectKeys(reply.body, USER_FIELDS);
    expect(reply.body.dni).toBe(p.dni);
    const missing = await call(h.backoffice, 'GET', '/users/user/99999999', { token: h.admin });
    expectStatus(missing, 404);
    expectDetail(missing);
  });
});

describe('B queue administration', () => {
  it('GET/POST /appointments/queue/size: bare integer, set with ?new_size=', async () => {
    const set = await call(h.backoffice, 'POST', '/appointments/queue/size?new_size=7', { token: h.admin });
    expectStatus(set, 200);
    const size = await call(h.backoffice, 'GET', '/appointments/queue/size', { token: h.admin });
    expectStatus(size, 200);
    expect(size.text).toBe('7');
    expectStatus(await call(h.backoffice, 'POST', '/appointments/queue/size?new_size=15', { token: h.admin }), 200);
  });

  it('POST /appointments/queue/close and /open flip the bare boolean GET /appointments/queue/open', async () => {
    const closed = await call(h.backoffice, 'POST', '/appointments/queue/close', { token: h.admin });
    expect(closed.status, closed.text).toBeGreaterThanOrEqual(200);
    expect(closed.status).toBeLessThan(300);
    expect((await call(h.backoffice, 'GET', '/appointments/queue/open', { token: h.admin })).text).toBe('false');
    const opened = await call(h.backoffice, 'POST', '/appointments/queue/open', { token: h.admin });
    expect(opened.status, opened.text).toBeGreaterThanOrEqual(200);
    expect(opened.status).toBeLessThan(300);
    expect((await call(h.backoffice, 'GET', '/appointments/queue/open', { token: h.admin })).text).toBe('true');
  });

  it('pending/accepted/created/queue lists, accept and deny by placement (201 true), DELETE /appointments 204', async () => {
    await resetQueue(h, h.admin);
    const [a, b, c] = [await newPatient(h, h.admin), await newPatient(h, h.admin), await newPatient(h, h.admin)];
    for (const p of [a, b, c]) expectStatus(await submit(h, p.token), 201);
    const pending = await call(h.backoffice, 'GET', '/appointments/pending', { token: h.admin });
    expectStatus(pending, 200);
    pending.body.forEach(expectQueueEntry);
    expect(pending.body.map((e: Wire) => [e.queue_placement, e.user_id, e.appointment_state])).toEqual([
      [0, a.userId, 'PENDING'],
      [1, b.userId, 'PENDING'],
      [2, c.userId, 'PENDING'],
    ]);
    const accept = await call(h.backoffice, 'PUT', '/appointments/accept/0', { token: h.admin });
    expectStatus(accept, 201);
    expect(accept.text).toBe('true');
    const deny = await call(h.backoffice, 'PUT', '/appointments/deny/1', { token: h.admin });
    expectStatus(deny, 201);
    expect(deny.text).toBe('true');
    expectStatus(
      await call(h.gateway, 'POST', '/appointments/create', { token: a.token, json: appointmentForm() }),
      201,
    );

    const list = async (path: string) => {
      const reply = await call(h.backoffice, 'GET', path, { token: h.admin });
      expectStatus(reply, 200);
      reply.body.forEach(expectQueueEntry);
      return reply.body.map((e: Wire) => [e.queue_placement, e.user_id, e.appointment_state]);
    };
    expect(await list('/appointments/pending')).toEqual([[2, c.userId, 'PENDING']]);
    expect(await list('/appointments/accepted')).toEqual([]);
    expect(await list('/appointments/created')).toEqual([[0, a.userId, 'CREATED']]);
    expect(await list('/appointments/queue')).toEqual(
      expect.arrayContaining([
        [0, a.userId, 'CREATED'],
        [1, b.userId, 'DENIED'],
        [2, c.userId, 'PENDING'],
      ]),
    );
    expectStatus(await call(h.backoffice, 'PUT', '/appointments/accept/2', { token: h.admin }), 201);
    expect(await list('/appointments/accepted')).toEqual([[2, c.userId, 'ACCEPTED']]);

    const cleared = await call(h.backoffice, 'DELETE', '/appointments', { token: h.admin });
    expectStatus(cleared, 204);
    expect(cleared.text).toBe('');
    expect(await list('/appointments/queue')).toEqual([]);
  });

  it('accept/deny of a placement nobody holds is a 4xx with a detail (never 403)', async () => {
    await resetQueue(h, h.admin);
    expectBusinessError(await call(h.backoffice, 'PUT', '/appointments/accept/42', { token: h.admin }), /./);
    expectBusinessError(await call(h.backoffice, 'PUT', '/appointments/deny/42', { token: h.admin }), /./);
  });
});

describe('B appointments and resolutions', () => {
  it('from_user, from_user/latest, create_resolution (201, e-mails the patient) and GET resolution', async () => {
    await resetQueue(h, h.admin);
    const p = await newPatient(h, h.admin);
    const none = await call(h.backoffice, 'GET', `/appointments/from_user/latest/${p.userId}`, { token: h.admin });
    expectStatus(none, 404);
    expectDetail(none);
    expect((await call(h.backoffice, 'GET', `/appointments/from_user/${p.userId}`, { token: h.admin })).body).toEqual(
      [],
    );

    await acceptedPatient(h, h.admin, p);
    const created = await call(h.gateway, 'POST', '/appointments/create', { token: p.token, json: appointmentForm() });
    expectStatus(created, 201);
    const id = created.body.appointment_id;

    const all = await call(h.backoffice, 'GET', `/appointments/from_user/${p.userId}`, { token: h.admin });
    expectStatus(all, 200);
    all.body.forEach(expectAppointment);
    expect(all.body).toEqual([created.body]);
    const latest = await call(h.backoffice, 'GET', `/appointments/from_user/latest/${p.userId}`, { token: h.admin });
    expectStatus(latest, 200);
    expect(latest.body).toEqual(created.body);

    const before = await call(h.backoffice, 'GET', `/appointments/${id}/resolution`, { token: h.admin });
    expectStatus(before, 404);
    expectDetail(before, /not found/i);

    const mailsBefore = h.mailer.messages.length;
    const resolved = await call(h.backoffice, 'POST', '/appointments/create_resolution', {
      token: h.admin,
      json: resolutionForm(id),
    });
    expectStatus(resolved, 201);
    expectResolution(resolved.body);
    expect(resolved.body).toMatchObject({ appointment_id: id, change_basal_type: 'Lantus', change_basal_dose: 14 });
    const got = await call(h.backoffice, 'GET', `/appointments/${id}/resolution`, { token: h.admin });
    expectStatus(got, 200);
    expect(got.body).toEqual(resolved.body);
    await h.mailer.flush();
    expect(h.mailer.messages.slice(mailsBefore).map((m) => m.to)).toContain(p.email);
  });

  it('create_resolution for an unknown appointment is a 404 detail', async () => {
    const reply = await call(h.backoffice, 'POST', '/appointments/create_resolution', {
      token: h.admin,
      json: resolutionForm(987654),
    });
    expectStatus(reply, 404);
    expectDetail(reply, /not found|does not exist/i);
  });
});

describe('B glucose', () => {
  it('POST /glucose/reading (201), GET user, user latest, all readings, DELETE reading (string)', async () => {
    const p = await newPatient(h, h.admin);
    const other = await newPatient(h, h.admin);
    const own = await createReading(h, p.token, { glucose_level: '150', reading_type: 'CENA', notes: 'app' });
    expectStatus(own, 201);
    const made = await call(h.backoffice, 'POST', '/glucose/reading', {
      token: h.admin,
      json: { user_id: p.userId, glucose_level: 88, reading_type: 'EJERCICIO', notes: 'cargada en consultorio' },
    });
    expectStatus(made, 201);
    expectReading(made.body);
    expect(made.body).toMatchObject({
      user_id: p.userId,
      glucose_level: 88,
      reading_type: 'EJERCICIO',
      notes: 'cargada en consultorio',
    });
    expectStatus(await createReading(h, other.token, { glucose_level: '77', reading_type: 'OTRO' }), 201);

    for (const path of [`/glucose/user/${p.userId}`, `/glucose/user/${p.userId}/latest`]) {
      const reply = await call(h.backoffice, 'GET', path, { token: h.admin });
      expectStatus(reply, 200);
      expectKeys(reply.body, ['readings']);
      reply.body.readings.forEach(expectReading);
      expect(reply.body.readings.map((r: Wire) => r.id)).toEqual([own.body.id, made.body.id]);
    }
    const everything = await call(h.backoffice, 'GET', '/glucose/readings', { token: h.admin });
    expectStatus(everything, 200);
    expectKeys(everything.body, ['readings']);
    const owners = new Set(everything.body.readings.map((r: Wire) => r.user_id));
    expect(owners.has(p.userId) && owners.has(other.userId)).toBe(true);

    const removed = await call(h.backoffice, 'DELETE', `/glucose/reading/${made.body.id}`, { token: h.admin });
    expectStatus(removed, 200);
    expect(typeof removed.body).toBe('string');
    const mine = await call(h.gateway, 'GET', '/glucose/mine', { token: p.token });
    expect(mine.body.readings.map((r: Wire) => r.id)).toEqual([own.body.id]);
    const gone = await call(h.backoffice, 'DELETE', `/glucose/reading/${made.body.id}`, { token: h.admin });
    expectStatus(gone, 404);
    expectDetail(gone);
  });
});

describe('B liveness, docs and tokens', () => {
  it('GET /health (200 JSON), /docs (200 HTML), /openapi.json (back-office paths)', async () => {
    const health = await call(h.backoffice, 'GET', '/health');
    expectStatus(health, 200);
    expect(health.headers.get('content-type')).toMatch(/json/);
    const docs = await call(h.backoffice, 'GET', '/docs');
    expectStatus(docs, 200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const spec = await call(h.backoffice, 'GET', '/openapi.json');
    expectStatus(spec, 200);
    expect(typeof spec.body.openapi).toBe('string');
    const paths = Object.keys(spec.body.paths ?? {});
    for (const p of ['/token', '/users/', '/appointments/pending', '/appointments/create_resolution'])
      expect(paths).toContain(p);
    expect(paths.filter((p) => p.startsWith('/v1'))).toEqual([]);
  });

  it('a patient token is refused (401) on the back-office listener', async () => {
    const patient = (await login(h.gateway, '40123456', 'thepassword')).access_token;
    for (const path of ['/users/', '/appointments/queue', '/admin/me']) {
      expectStatus(await call(h.backoffice, 'GET', path, { token: patient }), 401);
    }
    expectStatus(await call(h.backoffice, 'DELETE', '/appointments', { token: patient }), 401);
  });

  it('every back-office endpoint answers 401 Not authenticated without a token', async () => {
    const routes: [string, string][] = [
      ['GET', '/users/'],
      ['POST', '/users/'],
      ['GET', '/users/user/1'],
      ['GET', '/admin/me'],
      ['PUT', '/admin/mail/change?new_mail=x%40y.example'],
      ['PUT', '/admin/password?new_password=whatever-long-1'],
      ['GET', '/appointments/pending'],
      ['GET', '/appointments/accepted'],
      ['GET', '/appointments/created'],
      ['GET', '/appointments/queue'],
      ['GET', '/appointments/queue/size'],
      ['POST', '/appointments/queue/size?new_size=3'],
      ['GET', '/appointments/queue/open'],
      ['POST', '/appointments/queue/open'],
      ['POST', '/appointments/queue/close'],
      ['PUT', '/appointments/accept/0'],
      ['PUT', '/appointments/deny/0'],
      ['DELETE', '/appointments'],
      ['GET', '/appointments/from_user/1'],
      ['GET', '/appointments/from_user/latest/1'],
      ['POST', '/appointments/create_resolution'],
      ['GET', '/appointments/1/resolution'],
      ['GET', '/glucose/user/1'],
      ['GET', '/glucose/user/1/latest'],
      ['GET', '/glucose/readings'],
      ['POST', '/glucose/reading'],
      ['DELETE', '/glucose/reading/1'],
    ];
    for (const [method, path] of routes) {
      const reply = await call(h.backoffice, method, path, method === 'POST' ? { json: {} } : {});
      expect([method, path, reply.status]).toEqual([method, path, 401]);
      expectNotAuthenticated(reply);
    }
  });

  it('a patient cannot log in on the back-office /token', async () => {
    const reply = await call(h.backoffice, 'POST', '/token', {
      form: { username: '40123456', password: 'thepassword' },
    });
    expectStatus(reply, 401);
    expectDetail(reply);
  });
});
