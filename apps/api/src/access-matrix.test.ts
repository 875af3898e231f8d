/**
 * The access matrix (security.md AZ-1, issue: "a table-driven test walks every /v1 route × actors
 * and asserts the expected status — new routes must be added to it").
 *
 * Each cell uses a fresh session, so routes that end sessions cannot disturb later cells.
 * Requests are well-formed for an authorised caller, so the status reflects who is asking:
 * 401 for the wrong audience or no credentials, 403 for the wrong role, 404 for another
 * patient's records (existence is not revealed), 2xx/4xx business answers otherwise.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyticsRows } from '../test/access-matrix/analytics.js';
import { consultationsRows } from '../test/access-matrix/consultations.js';
import { exportsRows } from '../test/access-matrix/exports.js';
import {
  ACTORS,
  type Actor,
  adminOnly,
  anyAuthenticated,
  everyone,
  type Rows,
  row,
  staffOnly,
  uniq,
  type World,
} from '../test/access-matrix/kit.js';
import { readingsRows } from '../test/access-matrix/readings.js';
import { bearer, tokenFor } from '../test/build-test-app.js';
import { createPatient, createStaff } from '../test/factories.js';
import { useTestApp } from '../test/use-test-app.js';

const CORE: Rows = {
  // --- public ---
  'POST /v1/auth/login': {
    url: () => '/v1/auth/login',
    body: () => ({ identifier: 'nobody', password: 'wrong-password' }),
    expect: everyone(401),
  },
  'POST /v1/auth/refresh': {
    url: () => '/v1/auth/refresh',
    body: () => ({ refreshToken: 'x'.repeat(43) }),
    expect: everyone(401),
  },
  'POST /v1/auth/mfa/verify': {
    url: () => '/v1/auth/mfa/verify',
    body: () => ({ mfaToken: `mfa_${'x'.repeat(43)}`, code: '123456' }),
    expect: everyone(401),
  },
  'POST /v1/auth/password/forgot': {
    url: () => '/v1/auth/password/forgot',
    body: () => ({ email: 'nobody@patients.example' }),
    expect: everyone(202),
  },
  'POST /v1/auth/password/reset': {
    url: () => '/v1/auth/password/reset',
    body: () => ({ token: 'x'.repeat(43), newPassword: 'Una-Clave-Nueva-2026' }),
    expect: everyone(400),
  },
  // Self-registration is off unless ALLOW_SELF_REGISTRATION=true.
  'POST /v1/auth/register': {
    url: () => '/v1/auth/register',
    body: () => ({
      dni: '30111222',
      email: 'self@patients.example',
      name: 'Self',
      surname: 'Reg',
      password: 'Una-Clave-Nueva-2026',
    }),
    expect: everyone(404),
  },
  // --- any signed-in person ---
  'POST /v1/auth/logout': { url: () => '/v1/auth/logout', expect: anyAuthenticated(200) },
  'POST /v1/auth/logout-all': { url: () => '/v1/auth/logout-all', expect: anyAuthenticated(200) },
  'GET /v1/auth/sessions': { url: () => '/v1/auth/sessions', expect: anyAuthenticated(200) },
  'DELETE /v1/auth/sessions/:id': { url: () => `/v1/auth/sessions/${randomUUID()}`, expect: anyAuthenticated(404) },
  'POST /v1/auth/password/change': {
    url: () => '/v1/auth/password/change',
    body: () => ({ currentPassword: 'not-my-password', newPassword: 'Una-Clave-Nueva-2026' }),
    expect: anyAuthenticated(400),
  },
  'POST /v1/auth/mfa/totp/setup': {
    url: () => '/v1/auth/mfa/totp/setup',
    body: () => ({ password: 'not-my-password' }),
    expect: anyAuthenticated(400),
  },
  'POST /v1/auth/mfa/totp/enable': {
    url: () => '/v1/auth/mfa/totp/enable',
    body: () => ({ code: '123456' }),
    expect: anyAuthenticated(409),
  },
  'POST /v1/auth/mfa/totp/disable': {
    url: () => '/v1/auth/mfa/totp/disable',
    body: () => ({ password: 'not-my-password', code: '123456' }),
    expect: anyAuthenticated(400),
  },
  'GET /v1/me': { url: () => '/v1/me', expect: anyAuthenticated(200) },
  'PATCH /v1/me': {
    url: () => '/v1/me',
    body: (_w, a) => (a.startsWith('patient') ? { timezone: 'America/Argentina/Cordoba' } : { name: 'Renamed' }),
    expect: anyAuthenticated(200),
  },
  // --- audit: admin ---
  'GET /v1/audit-events': { url: () => '/v1/audit-events?limit=1', expect: adminOnly(200) },
  'GET /v1/audit-events/export': {
    url: () => '/v1/audit-events/export?format=json&from=2099-01-01T00:00:00Z',
    expect: adminOnly(200),
  },
  'GET /v1/audit-events/verify': { url: () => '/v1/audit-events/verify', expect: adminOnly(200) },
  // --- staff accounts: admin ---
  'GET /v1/staff': { url: () => '/v1/staff', expect: adminOnly(200) },
  'POST /v1/staff': {
    url: () => '/v1/staff',
    body: () => {
      const u = uniq();
      return { username: `nurse.${u}`, email: `nurse${u}@clinic.example`, name: 'Nurse', roles: ['assistant'] };
    },
    expect: adminOnly(201),
  },
  'GET /v1/staff/:id': { url: (w) => `/v1/staff/${w.clinician}`, expect: adminOnly(200) },
  'PATCH /v1/staff/:id': {
    url: (w) => `/v1/staff/${w.clinician}`,
    body: () => ({ name: 'Dr. Renamed' }),
    expect: adminOnly(200),
  },
  // --- patients: staff ---
  'GET /v1/patients': { url: () => '/v1/patients?perPage=5', expect: staffOnly(200) },
  'POST /v1/patients': {
    url: () => '/v1/patients',
    body: () => {
      const u = uniq();
      return {
        dni: `4${u.padStart(7, '0').slice(-7)}`,
        email: `new${u}@patients.example`,
        name: 'Nueva',
        surname: 'Paciente',
      };
    },
    expect: staffOnly(201),
  },
  // A patient may read their own record by id; someone else's is not revealed.
  'GET /v1/patients/:id': {
    url: (w) => `/v1/patients/${w.patientA}`,
    expect: { anonymous: 401, patientA: 200, patientB: 404, deviceA: 401, assistant: 200, clinician: 200, admin: 200 },
  },
  'PATCH /v1/patients/:id': {
    url: (w) => `/v1/patients/${w.patientC}`,
    body: () => ({ name: 'Carla' }),
    expect: staffOnly(200),
  },
  'POST /v1/patients/:id/block': {
    url: (w) => `/v1/patients/${w.patientC}/block`,
    expect: row(401, 401, 401, 200, 403, 200),
  },
  'POST /v1/patients/:id/unblock': {
    url: (w) => `/v1/patients/${w.patientC}/unblock`,
    expect: row(401, 401, 401, 200, 403, 200),
  },
  // --- device keys of patient A: the patient themself or an admin; another patient sees nothing ---
  'POST /v1/patients/:id/api-keys': {
    url: (w) => `/v1/patients/${w.patientA}/api-keys`,
    body: () => ({ name: 'meter bridge' }),
    expect: { anonymous: 401, patientA: 201, patientB: 404, deviceA: 401, assistant: 403, clinician: 403, admin: 201 },
  },
  'GET /v1/patients/:id/api-keys': {
    url: (w) => `/v1/patients/${w.patientA}/api-keys`,
    expect: { anonymous: 401, patientA: 200, patientB: 404, deviceA: 401, assistant: 403, clinician: 403, admin: 200 },
  },
  'DELETE /v1/patients/:id/api-keys/:keyId': {
    url: (w) => `/v1/patients/${w.patientA}/api-keys/999999`,
    expect: { anonymous: 401, patientA: 404, patientB: 404, deviceA: 401, assistant: 403, clinician: 403, admin: 404 },
  },
  'POST /v1/patients/:id/api-keys/:keyId/rotate': {
    url: (w) => `/v1/patients/${w.patientA}/api-keys/999999/rotate`,
    expect: { anonymous: 401, patientA: 404, patientB: 404, deviceA: 401, assistant: 403, clinician: 403, admin: 404 },
  },
};

const MATRIX: Rows = { ...CORE, ...readingsRows, ...analyticsRows, ...exportsRows, ...consultationsRows };

let world: World;
let deviceKey = '';

const api = useTestApp();

beforeAll(async () => {
  const [a, b, c] = [await createPatient(api.db.db), await createPatient(api.db.db), await createPatient(api.db.db)];
  const clinician = await createStaff(api.db.db, { roles: ['clinician'] });
  world = { patientA: a.id, patientB: b.id, patientC: c.id, clinician: clinician.id, app: api.app, db: api.db };
  const keyRes = await api.app.inject({
    method: 'POST',
    url: `/v1/patients/${a.id}/api-keys`,
    headers: bearer(await tokenFor(api.app, { kind: 'patient', id: a.id, roles: ['patient'] })),
    payload: { name: 'matrix device' },
  });
  expect(keyRes.statusCode).toBe(201);
  deviceKey = keyRes.json().key;
});

async function headersFor(actor: Actor): Promise<Record<string, string>> {
  switch (actor) {
    case 'anonymous':
      return {};
    case 'deviceA':
      return bearer(deviceKey);
    case 'patientA':
    case 'patientB':
      return bearer(await tokenFor(api.app, { kind: 'patient', id: world[actor], roles: ['patient'] }));
    default: {
      const s = await createStaff(api.db.db, { roles: [actor] });
      return bearer(await tokenFor(api.app, { kind: 'staff', id: s.id, roles: [actor] }));
    }
  }
}

describe('access matrix', () => {
  it('lists every /v1 route of the app, and nothing that does not exist', () => {
    const registered = api.app.routeTable
      .filter((r) => r.url.startsWith('/v1') && r.method !== 'HEAD' && !r.url.startsWith('/v1/test'))
      .map((r) => `${r.method} ${r.url}`);
    expect([...new Set(registered)].sort()).toEqual(Object.keys(MATRIX).sort());
  });

  for (const [route, cell] of Object.entries(MATRIX)) {
    it(route, async () => {
      const [method] = route.split(' ') as [string];
      const got: Partial<Record<Actor, number>> = {};
      for (const actor of ACTORS) {
        const url = await cell.url(world, actor);
        const body = cell.body?.(world, actor);
        const res = await api.app.inject({
          method: method as 'GET',
          url,
          headers: { ...(await headersFor(actor)), ...cell.headers?.(world, actor) },
          ...(body === undefined ? {} : { payload: body as object }),
        });
        got[actor] = res.statusCode;
      }
      expect(got).toEqual(cell.expect);
    });
  }
});
