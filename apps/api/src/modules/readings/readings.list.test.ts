/** Reading lists (keyset), the change feed, edits, deletes and achievements. */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { bearer, type TokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, patients, readingDaySummaries } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';

const clock = new ManualClock('2026-03-10T15:00:00.000Z');

const api = useTestApp({ clock });

const me = (id: number): TokenFor => ({ kind: 'patient', id, roles: ['patient'] });
async function clinicianToken(): Promise<TokenFor> {
  const s = await createStaff(api.db.db, { roles: ['clinician'] });
  return { kind: 'staff', id: s.id, roles: ['clinician'] };
}
async function allPages(url: string, who: TokenFor, limit: number) {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const sep = url.includes('?') ? '&' : '?';
    const res = await api.call(who, 'GET', `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode).toBe(200);
    ids.push(...res.json().data.map((r: { id: number }) => r.id));
    cursor = res.json().nextCursor;
    if (!cursor) break;
  }
  return ids;
}

describe('GET /v1/patients/:id/readings', () => {
  it('pages newest first and never skips or repeats a row when many share one measuredAt', async () => {
    const p = await createPatient(api.db.db);
    const t0 = Date.parse('2026-03-09T08:00:00Z');
    // 25 readings at 5 instants: 5 per instant, so page boundaries fall inside equal timestamps.
    await createReadings(
      api.db.db,
      p.id,
      Array.from({ length: 25 }, (_, i) => ({
        valueMgDl: 100 + i,
        measuredAt: new Date(t0 + Math.floor(i / 5) * 60_000),
      })),
    );
    const ids = await allPages(`/v1/patients/${p.id}/readings`, me(p.id), 3);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    const full = (await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings?limit=500`)).json().data;
    expect(full.map((r: { id: number }) => r.id)).toEqual(ids);
    const times = full.map((r: { measuredAt: string }) => r.measuredAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('a reading inserted while paging does not shift the pages already being read', async () => {
    const p = await createPatient(api.db.db);
    const t0 = Date.parse('2026-03-08T08:00:00Z');
    await createReadings(
      api.db.db,
      p.id,
      Array.from({ length: 6 }, (_, i) => ({ valueMgDl: 110, measuredAt: new Date(t0 + i * 60_000) })),
    );
    const first = (await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings?limit=3`)).json();
    await api.call(me(p.id), 'POST', '/v1/readings', { valueMgDl: 130, measuredAt: '2026-03-09T09:00:00Z' });
    const second = (
      await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings?limit=3&cursor=${first.nextCursor}`)
    ).json();
    const seen = [...first.data, ...second.data].map((r: { valueMgDl: number }) => r.valueMgDl);
    expect(seen).toEqual([110, 110, 110, 110, 110, 110]);
    expect(second.nextCursor).toBeNull();
  });

  it('filters by window, context and source; /v1/me/readings is the same list', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(api.db.db, p.id, [
      { valueMgDl: 90, measuredAt: new Date('2026-03-01T10:00:00Z'), context: 'fasting', source: 'meter' },
      { valueMgDl: 95, measuredAt: new Date('2026-03-02T10:00:00Z'), context: 'dinner', source: 'meter' },
      { valueMgDl: 99, measuredAt: new Date('2026-03-03T10:00:00Z'), context: 'fasting', source: 'manual' },
    ]);
    const q = async (query: string) =>
      (await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings?${query}`))
        .json()
        .data.map((r: { valueMgDl: number }) => r.valueMgDl);
    expect(await q('context=fasting')).toEqual([99, 90]);
    expect(await q('source=meter')).toEqual([95, 90]);
    expect(await q('from=2026-03-02T10:00:00Z&to=2026-03-03T10:00:00Z')).toEqual([95]);
    const mine = (await api.call(me(p.id), 'GET', '/v1/me/readings?context=fasting')).json().data;
    expect(mine.map((r: { valueMgDl: number }) => r.valueMgDl)).toEqual([99, 90]);
  });

  it('a patient cannot read another patient’s readings (404, audited as denied); staff can (audited)', async () => {
    const [a, b] = [await createPatient(api.db.db), await createPatient(api.db.db)];
    expect((await api.call(me(b.id), 'GET', `/v1/patients/${a.id}/readings`)).statusCode).toBe(404);
    const denied = await api.db.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, 'readings.read'), eq(auditEvents.actorId, b.id), eq(auditEvents.outcome, 'denied')),
      );
    expect(denied).toHaveLength(1);
    const doc = await clinicianToken();
    expect((await api.call(doc, 'GET', `/v1/patients/${a.id}/readings`)).statusCode).toBe(200);
    const read = await api.db.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, 'readings.read'), eq(auditEvents.patientId, a.id), eq(auditEvents.actorId, doc.id)),
      );
    expect(read).toHaveLength(1);
  });

  it('the front desk (assistant) cannot read reading values; an admin can', async () => {
    const p = await createPatient(api.db.db);
    const desk = await createStaff(api.db.db, { roles: ['assistant'] });
    const res = await api.call(
      {
        kind: 'staff',
        id: desk.id,
        roles: ['assistant'],
      },
      'GET',
      `/v1/patients/${p.id}/readings`,
    );
    expect(res.statusCode).toBe(403);
    const boss = await createStaff(api.db.db, { roles: ['admin'] });
    expect(
      (await api.call({ kind: 'staff', id: boss.id, roles: ['admin'] }, 'GET', `/v1/patients/${p.id}/readings`))
        .statusCode,
    ).toBe(200);
  });

  it('refuses a forged cursor and a limit over 500 with 400', async () => {
    const p = await createPatient(api.db.db);
    expect((await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings?cursor=bm9wZQ`)).statusCode).toBe(400);
    expect((await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings?limit=501`)).statusCode).toBe(400);
  });
});

describe('edit and delete', () => {
  it('an edit makes a new revision, moves the day summary, is audited by field name; a stale revision is 409', async () => {
    const p = await createPatient(api.db.db);
    const created = (
      await api.call(me(p.id), 'POST', '/v1/readings', { valueMgDl: 60, measuredAt: '2026-03-10T12:00:00Z' })
    ).json();
    const res = await api.call(me(p.id), 'PATCH', `/v1/readings/${created.id}`, {
      valueMgDl: 160,
      notes: 'typo',
      revision: 1,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valueMgDl: 160, notes: 'typo', revision: 2 });
    const [sum] = await api.db.db.select().from(readingDaySummaries).where(eq(readingDaySummaries.patientId, p.id));
    expect(sum).toMatchObject({ count: 1, low: 0, inRange: 1, sumMgDl: 160 });
    const [audit] = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'readings.update'), eq(auditEvents.patientId, p.id)));
    expect(audit?.details).toEqual({ fields: ['valueMgDl', 'notes'], revision: 2 });
    const stale = await api.call(me(p.id), 'PATCH', `/v1/readings/${created.id}`, { notes: 'again', revision: 1 });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'stale_revision']);
  });

  it('a device-recorded value cannot be edited, its notes can', async () => {
    const p = await createPatient(api.db.db);
    const r = (
      await api.call(me(p.id), 'POST', '/v1/readings', {
        valueMgDl: 140,
        measuredAt: '2026-03-10T12:00:00Z',
        source: 'meter',
        deviceId: 'm-1',
        sequenceNumber: 1,
      })
    ).json();
    const res = await api.call(me(p.id), 'PATCH', `/v1/readings/${r.id}`, { valueMgDl: 141 });
    expect([res.statusCode, res.json().code]).toEqual([409, 'device_reading_immutable']);
    expect((await api.call(me(p.id), 'PATCH', `/v1/readings/${r.id}`, { notes: 'before lunch' })).statusCode).toBe(200);
  });

  it('a delete is soft: gone from lists, counters and summaries, kept in the change feed; another patient gets 404', async () => {
    const [p, other] = [await createPatient(api.db.db), await createPatient(api.db.db)];
    const r = (
      await api.call(me(p.id), 'POST', '/v1/readings', { valueMgDl: 200, measuredAt: '2026-03-10T12:00:00Z' })
    ).json();
    expect((await api.call(me(other.id), 'DELETE', `/v1/readings/${r.id}`)).statusCode).toBe(404);
    expect((await api.call(me(other.id), 'GET', `/v1/readings/${r.id}`)).statusCode).toBe(404);
    expect((await api.call(me(p.id), 'DELETE', `/v1/readings/${r.id}`)).statusCode).toBe(204);
    expect((await api.call(me(p.id), 'GET', `/v1/readings/${r.id}`)).statusCode).toBe(404);
    expect((await api.call(me(p.id), 'DELETE', `/v1/readings/${r.id}`)).statusCode).toBe(404);
    expect((await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings`)).json().data).toEqual([]);
    const [pat] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(pat).toMatchObject({ timesMeasured: 0, lastReadingAt: null });
    const [sum] = await api.db.db.select().from(readingDaySummaries).where(eq(readingDaySummaries.patientId, p.id));
    expect(sum).toMatchObject({ count: 0, high: 0 });
    const feed = (await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings/changes`)).json();
    expect(feed.data).toHaveLength(1);
    expect(feed.data[0]).toMatchObject({ deleted: true, reading: { id: r.id, revision: 2 } });
  });
});

describe('GET /v1/patients/:id/readings/changes', () => {
  it('returns creates, edits and deletes in server order and resumes from the cursor without loss', async () => {
    const p = await createPatient(api.db.db);
    const mk = async (v: number) =>
      (await api.call(me(p.id), 'POST', '/v1/readings', { valueMgDl: v, measuredAt: '2026-03-10T10:00:00Z' })).json()
        .id as number;
    const [a, b] = [await mk(100), await mk(110)];
    const first = (await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings/changes?limit=10`)).json();
    expect(first.data.map((c: { reading: { id: number } }) => c.reading.id)).toEqual([a, b]);
    await api.call(me(p.id), 'PATCH', `/v1/readings/${a}`, { notes: 'edited' });
    const c = await mk(120);
    await api.call(me(p.id), 'DELETE', `/v1/readings/${b}`);
    const next = (
      await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings/changes?since=${first.nextCursor}`)
    ).json();
    expect(next.data.map((x: { reading: { id: number }; deleted: boolean }) => [x.reading.id, x.deleted])).toEqual([
      [a, false],
      [c, false],
      [b, true],
    ]);
    const seqs = next.data.map((x: { changeSeq: number }) => x.changeSeq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    const idle = (
      await api.call(me(p.id), 'GET', `/v1/patients/${p.id}/readings/changes?since=${next.nextCursor}`)
    ).json();
    expect(idle).toEqual({ data: [], nextCursor: next.nextCursor, hasMore: false });
  });

  it('the patient’s device may read its feed; another patient may not', async () => {
    const [p, other] = [await createPatient(api.db.db), await createPatient(api.db.db)];
    const key = (await api.call(me(p.id), 'POST', `/v1/patients/${p.id}/api-keys`, { name: 'pump' })).json()
      .key as string;
    const own = await api.app.inject({
      method: 'GET',
      url: `/v1/patients/${p.id}/readings/changes`,
      headers: bearer(key),
    });
    expect(own.statusCode).toBe(200);
    const theirs = await api.app.inject({
      method: 'GET',
      url: `/v1/patients/${other.id}/readings/changes`,
      headers: bearer(key),
    });
    expect(theirs.statusCode).toBe(404);
    expect((await api.call(me(other.id), 'GET', `/v1/patients/${p.id}/readings/changes`)).statusCode).toBe(404);
  });
});

describe('GET /v1/me/achievements', () => {
  it('reports counters, the streak in the patient timezone and progress = min(value, threshold)', async () => {
    const p = await createPatient(api.db.db);
    // Four readings on 2026-03-09 local (Buenos Aires, UTC-3) and four on 2026-03-10: streak 2.
    const at = (iso: string) => ({ valueMgDl: 120, measuredAt: iso });
    const days = ['2026-03-09T11:00:00-03:00', '2026-03-10T09:00:00-03:00'];
    for (const d of days) {
      for (let i = 0; i < 4; i++) {
        const t = new Date(Date.parse(d) + i * 600_000).toISOString();
        expect((await api.call(me(p.id), 'POST', '/v1/readings', at(t))).statusCode).toBe(201);
      }
    }
    // 2026-03-10T02:30Z is still 2026-03-09 in Buenos Aires: a late reading of yesterday.
    await api.call(me(p.id), 'POST', '/v1/readings', at('2026-03-10T02:30:00Z'));
    const res = await api.call(me(p.id), 'GET', '/v1/me/achievements');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      timesMeasured: 9,
      streak: 2,
      maxStreak: 2,
      fourTimesToday: 0,
      streakLastDate: '2026-03-10',
    });
    const byId = new Map(body.achievements.map((a: { id: number }) => [a.id, a]));
    expect(byId.get(1)).toMatchObject({ attribute: 'times_measured', threshold: 1, progress: 1, got: true });
    expect(byId.get(2)).toMatchObject({ threshold: 10, progress: 9, got: false });
    expect(byId.get(6)).toMatchObject({ attribute: 'max_streak', threshold: 7, progress: 2, got: false });
    const doc = await clinicianToken();
    expect((await api.call(doc, 'GET', '/v1/me/achievements')).statusCode).toBe(401);
  });
});
