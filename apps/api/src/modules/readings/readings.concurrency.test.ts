/**
 * Concurrency: identical batches racing, and the change feed with a slow writer. Meaningful on real
 * PostgreSQL (CI sets TEST_DATABASE_URL); on embedded PGlite requests run one at a time.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bearer, tokenFor, usingPostgres } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { untilBlocked } from '../../../test/lock-probe.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { patients, readings } from '../../db/schema/index.js';
import { withTransaction } from '../../db/transaction.js';
import { readingsService } from './index.js';

const api = useTestApp();

const cgm = (n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => ({
    valueMgDl: 70 + ((i * 7) % 200),
    measuredAt: new Date(Date.now() - (n - i + offset) * 300_000).toISOString(),
    deviceId: 'g7-A1',
    sequenceNumber: (i + offset) % 65536,
    source: 'cgm',
  }));

describe('concurrent writers', () => {
  it('eight identical batches sent at once create each reading exactly once', async () => {
    const p = await createPatient(api.db.db);
    const headers = bearer(await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] }));
    const items = cgm(500);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.app.inject({ method: 'POST', url: '/v1/readings/batch', headers, payload: { readings: items } }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    const created = answers.map((a) => a.json().created as number);
    expect(created.reduce((x, y) => x + y, 0)).toBe(500);
    expect(answers.map((a) => a.json().invalid)).toEqual(Array(8).fill(0));
    // Every answer names the same id for the same item, whichever request created it.
    const ids = answers.map((a) =>
      a
        .json()
        .results.map((r: { id: number }) => r.id)
        .join(','),
    );
    expect(new Set(ids).size).toBe(1);
    const stored = await api.db.db.select({ id: readings.id }).from(readings).where(eq(readings.patientId, p.id));
    expect(stored).toHaveLength(500);
    const [pat] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(pat?.timesMeasured).toBe(500);
  });

  it('the same Idempotency-Key sent twice at once runs the write once and replays it to the other', async () => {
    const p = await createPatient(api.db.db);
    const headers = {
      ...bearer(await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] })),
      'idempotency-key': 'double-tap',
    };
    const payload = { valueMgDl: 140, measuredAt: new Date(Date.now() - 60_000).toISOString() };
    const [a, b] = await Promise.all(
      [1, 2].map(() => api.app.inject({ method: 'POST', url: '/v1/readings', headers, payload })),
    );
    expect([a?.statusCode, b?.statusCode]).toEqual([201, 201]);
    expect(a?.json().id).toBe(b?.json().id);
    expect([a?.headers['idempotent-replayed'], b?.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
    expect(await api.db.db.select().from(readings).where(eq(readings.patientId, p.id))).toHaveLength(1);
  });

  // PGlite has one connection: a transaction held open would block the reader too.
  it.runIf(usingPostgres)(
    'the change feed does not skip a reading committed by a slower concurrent transaction',
    async () => {
      const p = await createPatient(api.db.db);
      const headers = bearer(await tokenFor(api.app, { kind: 'patient', id: p.id, roles: ['patient'] }));
      const feed = async (since?: string) =>
        (
          await api.app.inject({
            method: 'GET',
            url: `/v1/patients/${p.id}/readings/changes${since ? `?since=${since}` : ''}`,
            headers,
          })
        ).json();
      const service = readingsService(api.app);
      let release: () => void = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      let slowStarted: () => void = () => {};
      const started = new Promise<void>((r) => {
        slowStarted = r;
      });
      // The slow writer: takes its change-feed position, then waits before committing.
      const slow = withTransaction(api.db.db, async (tx) => {
        const svc = service as unknown as {
          insertForPatient(tx: unknown, actor: unknown, id: number, c: unknown[]): Promise<unknown>;
        };
        await svc.insertForPatient(tx, { kind: 'patient', id: p.id, roles: ['patient'] }, p.id, [
          {
            index: 0,
            row: {
              patientId: p.id,
              valueMgDl: 101,
              rangeFlag: null,
              unit: 'mg/dL',
              measuredAt: new Date(Date.now() - 120_000),
              context: 'other',
              source: 'manual',
              deviceId: null,
              sequenceNumber: null,
              sampleType: null,
              sampleLocation: null,
              notes: 'slow',
            },
          },
        ]);
        slowStarted();
        await held;
      });
      await started;
      // A fast writer starts after the slow one took its position.
      const fast = api.app.inject({
        method: 'POST',
        url: '/v1/readings',
        headers,
        payload: { valueMgDl: 202, measuredAt: new Date(Date.now() - 60_000).toISOString(), notes: 'fast' },
      });
      // The fast writer now waits on the slow one's lock: its position comes after the slow one's.
      await untilBlocked(api.db);
      const during = await feed();
      expect(during.data).toEqual([]);
      release();
      await slow;
      expect((await fast).statusCode).toBe(201);
      const after = await feed(during.nextCursor);
      expect(after.data.map((c: { reading: { notes: string } }) => c.reading.notes)).toEqual(['slow', 'fast']);
    },
  );
});
