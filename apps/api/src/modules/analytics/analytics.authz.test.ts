import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, clinician, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { ManualClock } from '../../lib/clock.js';

let a: { id: number };
let b: { id: number };
const asPatient = (p: { id: number }): TokenFor => ({ kind: 'patient', id: p.id, roles: ['patient'] });
const assistant: TokenFor = { kind: 'staff', id: 3, roles: ['assistant'] };

const api = useTestApp({ clock: new ManualClock('2026-03-20T15:00:00Z') });

beforeAll(async () => {
  a = await createPatient(api.db.db);
  b = await createPatient(api.db.db);
  await createReadings(api.db.db, a.id, [
    { valueMgDl: 123.4, measuredAt: new Date('2026-03-19T12:00:00Z') },
    { valueMgDl: 56.7, measuredAt: new Date('2026-03-19T12:05:00Z') },
  ]);
});

async function read(who: TokenFor, url: string) {
  return api.app.inject({ method: 'GET', url, headers: bearer(await tokenFor(api.app, who)) });
}

describe.each(['stats', 'agp'])('GET /v1/patients/:id/%s', (what) => {
  it('lets a patient read their own', async () => {
    const res = await read(asPatient(a), `/v1/patients/${a.id}/${what}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBe(2);
  });

  it("does not let a patient read another patient's: 404, like a missing one, and the refusal is audited", async () => {
    const res = await read(asPatient(b), `/v1/patients/${a.id}/${what}`);
    expect(res.statusCode).toBe(404);
    const missing = await read(asPatient(b), `/v1/patients/999999/${what}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toBe(res.json().detail);
    const rows = await api.auditWhere({ action: `${what}.read`, actorId: b.id });
    expect(rows.map((r) => [r.outcome, r.patientId, r.resourceId])).toEqual([
      ['denied', a.id, String(a.id)],
      ['denied', null, '999999'],
    ]);
  });

  it('refuses the front desk (assistant): reading values are not theirs to see', async () => {
    expect((await read({ ...assistant, id: 25 }, `/v1/patients/${a.id}/${what}`)).statusCode).toBe(403);
  });

  it('lets clinicians and admins read it, and audits each read with the patient id and no values', async () => {
    for (const who of [clinician(21), { kind: 'staff', id: 23, roles: ['admin'] } as TokenFor]) {
      const res = await read(who, `/v1/patients/${a.id}/${what}?tz=Europe/Madrid`);
      expect(res.statusCode).toBe(200);
      const [row] = await api.auditWhere({ action: `${what}.read`, actorId: who.id });
      expect(row).toMatchObject({ outcome: 'success', patientId: a.id, resourceType: 'patient' });
      expect(row?.details).toEqual({ windowDays: 14, timezoneOverride: true });
      expect(JSON.stringify(row)).not.toMatch(/123\.4|56\.7/);
    }
  });

  it('tells staff a missing patient is not found, and audits the failed attempt', async () => {
    const res = await read(clinician(24), `/v1/patients/999999/${what}`);
    expect(res.statusCode).toBe(404);
    const rows = await api.auditWhere({ action: `${what}.read`, actorId: 24 });
    expect(rows.map((r) => [r.outcome, r.patientId])).toEqual([['failure', null]]);
  });

  it('does not reveal through a bad query whether another patient exists', async () => {
    const res = await read(asPatient(b), `/v1/patients/${a.id}/${what}?tz=Mars/Olympus`);
    expect(res.statusCode).toBe(404);
  });

  it('requires authentication', async () => {
    const res = await api.app.inject({ method: 'GET', url: `/v1/patients/${a.id}/${what}` });
    expect(res.statusCode).toBe(401);
  });
});
