import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, clinician, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';

let a: Awaited<ReturnType<typeof createPatient>>;
let b: Awaited<ReturnType<typeof createPatient>>;
const assistant: TokenFor = { kind: 'staff', id: 3, roles: ['assistant'] };
const device: TokenFor = { kind: 'device', id: 7, roles: ['device'], audience: 'app' };

const api = useTestApp();

beforeAll(async () => {
  a = await createPatient(api.db.db);
  b = await createPatient(api.db.db);
});

const asPatient = (p: { id: number }): TokenFor => ({ kind: 'patient', id: p.id, roles: ['patient'] });

let seq = 0;
function newPatient() {
  seq += 1;
  return {
    dni: String(45_000_000 + seq * 13 + (process.pid % 7)),
    email: `authz${seq}@patients.example`,
    name: 'N',
    surname: 'S',
  };
}

type Route = { method: 'GET' | 'POST' | 'PATCH'; url: () => string; payload?: () => object };
const routes: Record<string, Route> = {
  list: { method: 'GET', url: () => '/v1/patients' },
  create: { method: 'POST', url: () => '/v1/patients', payload: newPatient },
  read: { method: 'GET', url: () => `/v1/patients/${b.id}` },
  update: { method: 'PATCH', url: () => `/v1/patients/${b.id}`, payload: () => ({ surname: 'Otro' }) },
  block: { method: 'POST', url: () => `/v1/patients/${b.id}/block` },
  unblock: { method: 'POST', url: () => `/v1/patients/${b.id}/unblock` },
};

/** Expected status per actor and route; patient A acts on patient B's record. */
const matrix: [string, () => TokenFor | null, Record<keyof typeof routes, number>][] = [
  ['anonymous', () => null, { list: 401, create: 401, read: 401, update: 401, block: 401, unblock: 401 }],
  ['patient A', () => asPatient(a), { list: 401, create: 401, read: 404, update: 401, block: 401, unblock: 401 }],
  ['device', () => device, { list: 401, create: 401, read: 401, update: 401, block: 401, unblock: 401 }],
  ['clinician', clinician, { list: 200, create: 201, read: 200, update: 200, block: 403, unblock: 403 }],
  ['assistant', () => assistant, { list: 200, create: 201, read: 200, update: 200, block: 200, unblock: 200 }],
  ['admin', admin, { list: 200, create: 201, read: 200, update: 200, block: 200, unblock: 200 }],
];

describe('route × actor matrix', () => {
  for (const [name, who, expected] of matrix) {
    it(`${name}`, async () => {
      const got: Record<string, number> = {};
      for (const [key, route] of Object.entries(routes)) {
        got[key] = (await api.call(who(), route.method, route.url(), route.payload?.())).statusCode;
      }
      expect(got).toEqual(expected);
    });
  }

  it('an expired token and a forged one are 401', async () => {
    const expired = await tokenFor(api.app, { ...admin(), at: new Date(Date.now() - 3_600_000), ttlSeconds: 60 });
    const res = await api.app.inject({ url: '/v1/patients', headers: bearer(expired) });
    expect(res.statusCode).toBe(401);
    const forged = await api.app.inject({ url: '/v1/patients', headers: { authorization: 'Bearer aaa.bbb.ccc' } });
    expect(forged.statusCode).toBe(401);
  });

  it('a role refusal (clinician blocking) is audited as access.denied', async () => {
    const res = await api.call(clinician(), 'POST', `/v1/patients/${b.id}/block`);
    expect(res.statusCode).toBe(403);
    const [row] = await api.auditOf(res);
    expect(row).toMatchObject({ action: 'access.denied', outcome: 'denied', actorId: 2 });
  });
});

describe('a patient reaches only their own record', () => {
  it('reads their own record through /v1/patients/:id', async () => {
    const res = await api.call(asPatient(a), 'GET', `/v1/patients/${a.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: a.id, dni: a.dni });
  });

  it("another patient's record and a missing one give the same 404", async () => {
    const other = await api.call(asPatient(a), 'GET', `/v1/patients/${b.id}`);
    const missing = await api.call(asPatient(a), 'GET', '/v1/patients/888888');
    expect(other.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    const strip = (r: LightMyRequestResponse) => ({ ...r.json(), requestId: undefined, instance: undefined });
    expect(strip(other)).toEqual(strip(missing));
    expect(other.body).not.toContain(b.dni);
  });

  it('cannot edit, block or list anyone, itself included (patient tokens never reach staff routes)', async () => {
    for (const [method, url, payload] of [
      ['PATCH', `/v1/patients/${a.id}`, { name: 'Yo' }],
      ['POST', `/v1/patients/${a.id}/unblock`, undefined],
      ['GET', `/v1/patients?q=${a.dni}`, undefined],
    ] as const) {
      expect((await api.call(asPatient(a), method, url, payload)).statusCode, `${method} ${url}`).toBe(401);
    }
  });
});

describe('audit of patient reads', () => {
  it('a staff read writes patients.read with the patient id', async () => {
    const res = await api.call(clinician(), 'GET', `/v1/patients/${a.id}`);
    const rows = await api.auditOf(res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'patients.read',
      resourceType: 'patient',
      resourceId: String(a.id),
      patientId: a.id,
      outcome: 'success',
      actorId: 2,
      actorRole: 'clinician',
    });
  });

  it("a patient's refused read of another record is audited as denied against that patient", async () => {
    const res = await api.call(asPatient(a), 'GET', `/v1/patients/${b.id}`);
    const rows = await api.auditOf(res);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'patients.read',
      patientId: b.id,
      outcome: 'denied',
      actorId: a.id,
      actorRole: 'patient',
    });
    expect(rows[0]?.details).toMatchObject({ reason: 'not_permitted' });
  });

  it('a read of a missing patient is audited without a patient id', async () => {
    const staffMiss = await api.call(assistant, 'GET', '/v1/patients/777777');
    expect((await api.auditOf(staffMiss))[0]).toMatchObject({
      action: 'patients.read',
      resourceId: '777777',
      patientId: null,
      outcome: 'failure',
    });
    const patientMiss = await api.call(asPatient(a), 'GET', '/v1/patients/777777');
    expect((await api.auditOf(patientMiss))[0]).toMatchObject({ patientId: null, outcome: 'denied' });
  });

  it('a refused update of a missing patient is audited too', async () => {
    const res = await api.call(admin(), 'PATCH', '/v1/patients/777777', { name: 'Nadie' });
    expect(res.statusCode).toBe(404);
    expect((await api.auditOf(res))[0]).toMatchObject({
      action: 'patients.update',
      outcome: 'failure',
      patientId: null,
    });
  });
});
