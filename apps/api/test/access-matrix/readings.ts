/** Access-matrix rows for the readings routes (see kit.ts). */
import { eq, max } from 'drizzle-orm';
import { readings } from '../../src/db/schema/index.js';
import { createReadings } from '../factories.js';
import { type Actor, ownOrStaff, type Rows, type World } from './kit.js';

const isStaffActor = (a: Actor) => a === 'assistant' || a === 'clinician' || a === 'admin';
const reading = (w: World, a: Actor) => ({
  ...(isStaffActor(a) ? { patientId: w.patientA } : {}),
  valueMgDl: 104,
  measuredAt: '2026-01-10T08:00:00Z',
});
/** A fresh reading of patient A for each actor, so a delete by one does not change the next answer. */
async function readingOfA(w: World): Promise<number> {
  await createReadings(w.db.db, w.patientA, [{ valueMgDl: 120, measuredAt: new Date('2026-01-09T08:00:00Z') }]);
  const [row] = await w.db.db
    .select({ id: max(readings.id) })
    .from(readings)
    .where(eq(readings.patientId, w.patientA));
  return Number(row?.id);
}

/** Patients (own records), devices of A, and clinical staff write; admins are not clinical writers. */
const writers = { anonymous: 401, patientA: 0, patientB: 0, deviceA: 0, assistant: 0, clinician: 0, admin: 403 };
const writeRow = (ok: number) =>
  Object.fromEntries(Object.entries(writers).map(([k, v]) => [k, v === 0 ? ok : v])) as Record<Actor, number>;

/** Reading values: A, clinicians and admins; the front desk (assistant) is refused (product.md). */
const values = (ok: number, device = 401) => ({ ...ownOrStaff(ok, device), assistant: 403 });
const editors = (ok: number) => ({ ...ownOrStaff(ok), assistant: 403, admin: 403 });

export const readingsRows: Rows = {
  'POST /v1/readings': { url: () => '/v1/readings', body: reading, expect: writeRow(201) },
  'POST /v1/readings/batch': {
    url: () => '/v1/readings/batch',
    body: (w, a) => ({ readings: [reading(w, a)] }),
    expect: writeRow(200),
  },
  'GET /v1/patients/:id/readings': { url: (w) => `/v1/patients/${w.patientA}/readings`, expect: values(200) },
  'GET /v1/patients/:id/readings/changes': {
    url: (w) => `/v1/patients/${w.patientA}/readings/changes`,
    expect: values(200, 200),
  },
  'GET /v1/me/readings': {
    url: () => '/v1/me/readings',
    expect: { anonymous: 401, patientA: 200, patientB: 200, deviceA: 401, assistant: 401, clinician: 401, admin: 401 },
  },
  'GET /v1/me/achievements': {
    url: () => '/v1/me/achievements',
    expect: { anonymous: 401, patientA: 200, patientB: 200, deviceA: 401, assistant: 401, clinician: 401, admin: 401 },
  },
  'GET /v1/readings/:id': { url: async (w) => `/v1/readings/${await readingOfA(w)}`, expect: values(200) },
  'PATCH /v1/readings/:id': {
    url: async (w) => `/v1/readings/${await readingOfA(w)}`,
    body: () => ({ notes: 'checked' }),
    expect: editors(200),
  },
  'DELETE /v1/readings/:id': { url: async (w) => `/v1/readings/${await readingOfA(w)}`, expect: editors(204) },
};
