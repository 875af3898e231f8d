/** Device API keys: management (shown once, BOLA, audit) and authentication on device routes only. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { admin, bearer, clinician, patient, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { apiKeys, auditEvents, patients } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { responses } from '../../lib/http.js';

const clock = new ManualClock('2026-02-01T08:00:00.000Z');
const HOUR = 3_600_000;

/** The readings routes did not exist when this was written: these stand in for a route that accepts devices. */
function deviceRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const Who = Type.Object({
    kind: Type.String(),
    id: Type.Integer(),
    apiKeyId: Type.Union([Type.Integer(), Type.Null()]),
  });
  const who = async (request: { principal: { kind: string; id: number; apiKeyId?: number } | null }) => ({
    kind: request.principal?.kind ?? 'none',
    id: request.principal?.id ?? 0,
    apiKeyId: request.principal?.apiKeyId ?? null,
  });
  const schema = { response: responses({ 200: Who }) };
  const devices = { audience: 'app', roles: ['patient', 'device'], devices: true } as const;
  r.post('/v1/test/device-write', { config: { auth: devices }, schema }, who);
  r.post('/v1/test/devices-but-patients-only', { config: { auth: { ...devices, roles: ['patient'] } }, schema }, who);
}

const api = useTestApp({ clock, prepare: deviceRoutes });

const as = async (who: TokenFor) => bearer(await tokenFor(api.app, who));
const keysUrl = (patientId: number) => `/v1/patients/${patientId}/api-keys`;
const create = async (patientId: number, who: TokenFor, payload: object = { name: 'Contour meter' }) =>
  api.app.inject({ method: 'POST', url: keysUrl(patientId), headers: await as(who), payload });
const useBearer = (key: string, url = '/v1/test/device-write') =>
  api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` } });
const useHeader = (key: string, url = '/v1/test/device-write') =>
  api.app.inject({ method: 'POST', url, headers: { 'x-api-key': key } });

async function newPatientWithKey() {
  const p = await createPatient(api.db.db);
  const res = await create(p.id, patient(p.id));
  expect(res.statusCode).toBe(201);
  return { p, issued: res.json() as { id: number; key: string; prefix: string } };
}

async function audit(action: string, resourceId: number) {
  return api.db.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.resourceId, String(resourceId))));
}

describe('managing device keys', () => {
  it('a patient creates a key: shown once, stored as a hash, audited', async () => {
    const { p, issued } = await newPatientWithKey();
    expect(issued).toMatchObject({ name: 'Contour meter', scopes: ['readings:write'], expiresAt: null });
    expect(issued.key).toMatch(/^dk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(issued.key.slice(3, 11)).toBe(issued.prefix);
    const [row] = await api.db.db.select().from(apiKeys).where(eq(apiKeys.id, issued.id));
    expect(row).toMatchObject({ patientId: p.id, createdByRole: 'patient', createdById: p.id });
    expect(row?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(issued.key.slice(12));
    const rows = await audit('api_keys.create', issued.id);
    expect(rows).toMatchObject([{ patientId: p.id, actorRole: 'patient', outcome: 'success' }]);

    const list = await api.app.inject({ url: keysUrl(p.id), headers: await as(patient(p.id)) });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ total: 1, data: [{ id: issued.id, prefix: issued.prefix, revokedAt: null }] });
    expect(Object.keys(list.json().data[0]).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scopes'].sort(),
    );
    expect(list.body).not.toContain(issued.key.slice(12));
    expect(list.body).not.toContain(row?.keyHash);
  });

  it('another patient gets 404 for everything; a clinician gets 403; an admin may act', async () => {
    const { p: a, issued } = await newPatientWithKey();
    const b = await createPatient(api.db.db);
    const asB = await as(patient(b.id));
    const tries = [
      { method: 'POST', url: keysUrl(a.id), payload: { name: 'mine now' } },
      { method: 'GET', url: keysUrl(a.id) },
      { method: 'DELETE', url: `${keysUrl(a.id)}/${issued.id}` },
      { method: 'POST', url: `${keysUrl(a.id)}/${issued.id}/rotate` },
      // B's own URL with A's key id: still not found.
      { method: 'DELETE', url: `${keysUrl(b.id)}/${issued.id}` },
      { method: 'POST', url: `${keysUrl(b.id)}/${issued.id}/rotate` },
    ] as const;
    for (const t of tries) {
      const res = await api.app.inject({ ...t, headers: asB });
      expect(res.statusCode, `${t.method} ${t.url}`).toBe(404);
    }
    expect((await useBearer(issued.key)).statusCode).toBe(200);

    expect((await create(a.id, clinician(91_001))).statusCode).toBe(403);
    const byAdmin = await create(a.id, admin(91_002), { name: 'Clinic CGM bridge', expiresInDays: 30 });
    expect(byAdmin.statusCode).toBe(201);
    expect(byAdmin.json().expiresAt).toBe(new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString());
    expect((await create(99_999_999, admin(91_002))).statusCode).toBe(404);
  });
});

describe('authenticating with a device key', () => {
  it('works on a device route with either header, as a device principal of the patient', async () => {
    const { p, issued } = await newPatientWithKey();
    for (const res of [await useBearer(issued.key), await useHeader(issued.key)]) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ kind: 'device', id: p.id, apiKeyId: issued.id });
    }
    // A patient's own access token is fine there too.
    const own = await api.app.inject({
      method: 'POST',
      url: '/v1/test/device-write',
      headers: await as(patient(p.id)),
    });
    expect(own.json()).toMatchObject({ kind: 'patient', id: p.id });
    // The policy still applies its roles to devices.
    expect((await useBearer(issued.key, '/v1/test/devices-but-patients-only')).statusCode).toBe(403);
  });

  it('is refused (401) on every route that does not allow devices', async () => {
    const { p, issued } = await newPatientWithKey();
    for (const url of ['/v1/auth/sessions', keysUrl(p.id)]) {
      for (const headers of [{ authorization: `Bearer ${issued.key}` }, { 'x-api-key': issued.key }]) {
        const res = await api.app.inject({ url, headers });
        expect(res.statusCode, `${url} ${Object.keys(headers)[0]}`).toBe(401);
      }
    }
    // An access token plus a different device key is ambiguous, even where devices are welcome.
    const mixed = { ...(await as(patient(p.id))), 'x-api-key': issued.key };
    expect((await api.app.inject({ method: 'POST', url: '/v1/test/device-write', headers: mixed })).statusCode).toBe(
      401,
    );
    const forged = `${issued.key.slice(0, 12)}${'A'.repeat(43)}`;
    expect((await useBearer(forged)).statusCode).toBe(401);
    expect((await useHeader('dk_garbage')).statusCode).toBe(401);
  });

  it('records use at most once a minute', async () => {
    const { issued } = await newPatientWithKey();
    const lastUsed = async () =>
      (await api.db.db.select().from(apiKeys).where(eq(apiKeys.id, issued.id)))[0]?.lastUsedAt?.getTime();
    await useBearer(issued.key);
    const first = await lastUsed();
    expect(first).toBe(clock.now().getTime());
    clock.advance(30_000);
    await useBearer(issued.key);
    expect(await lastUsed()).toBe(first);
    clock.advance(31_000);
    await useBearer(issued.key);
    expect(await lastUsed()).toBe(clock.now().getTime());
  });

  it('stops working when revoked, expired, or the patient is blocked', async () => {
    const { p, issued } = await newPatientWithKey();
    const url = `${keysUrl(p.id)}/${issued.id}`;
    const revoked = await api.app.inject({ method: 'DELETE', url, headers: await as(patient(p.id)) });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).toBe(clock.now().toISOString());
    expect((await useBearer(issued.key)).statusCode).toBe(401);
    expect((await useHeader(issued.key)).json().code).toBe('invalid_api_key');
    expect((await api.app.inject({ method: 'DELETE', url, headers: await as(patient(p.id)) })).statusCode).toBe(200);
    expect(await audit('api_keys.revoke', issued.id)).toMatchObject([{ patientId: p.id, outcome: 'success' }]);

    const short = (await create(p.id, patient(p.id), { name: 'loaner', expiresInDays: 1 })).json();
    expect((await useBearer(short.key)).statusCode).toBe(200);
    const blockedKey = (await create(p.id, patient(p.id), { name: 'phone' })).json();
    clock.advance(24 * HOUR);
    expect((await useBearer(short.key)).statusCode).toBe(401);

    await api.db.db.update(patients).set({ blocked: true }).where(eq(patients.id, p.id));
    expect((await useBearer(blockedKey.key)).statusCode).toBe(401);
  });

  it('rotation: the new key works at once, the old one for 24 hours more', async () => {
    const { p, issued } = await newPatientWithKey();
    const res = await api.app.inject({
      method: 'POST',
      url: `${keysUrl(p.id)}/${issued.id}/rotate`,
      headers: await as(patient(p.id)),
    });
    expect(res.statusCode).toBe(201);
    const fresh = res.json();
    expect(fresh.key).not.toBe(issued.key);
    expect(fresh).toMatchObject({ name: 'Contour meter', scopes: ['readings:write'] });
    expect((await useBearer(fresh.key)).json()).toMatchObject({ apiKeyId: fresh.id });
    expect((await useBearer(issued.key)).statusCode).toBe(200);
    const rows = await audit('api_keys.rotate', issued.id);
    expect(rows).toMatchObject([{ patientId: p.id, details: { newKeyId: fresh.id } }]);

    clock.advance(23 * HOUR);
    expect((await useBearer(issued.key)).statusCode).toBe(200);
    clock.advance(2 * HOUR);
    expect((await useBearer(issued.key)).statusCode).toBe(401);
    expect((await useBearer(fresh.key)).statusCode).toBe(200);
    const again = await api.app.inject({
      method: 'POST',
      url: `${keysUrl(p.id)}/${issued.id}/rotate`,
      headers: await as(patient(p.id)),
    });
    expect(again.statusCode).toBe(409);
    const dated = await api.app.inject({
      method: 'POST',
      url: `${keysUrl(p.id)}/${fresh.id}/rotate`,
      headers: await as(patient(p.id)),
      payload: { expiresInDays: 7 },
    });
    expect(dated.json().expiresAt).toBe(new Date(clock.now().getTime() + 7 * 24 * HOUR).toISOString());
  });
});
