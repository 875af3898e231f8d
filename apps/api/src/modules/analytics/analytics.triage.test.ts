/**
 * The clinician triage list: patients ranked by need from the day summaries (count-based), with
 * page/perPage and total, clinicians only, every read audited.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, clinician, patient, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings, type ReadingInput } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import type { TriagePage } from './analytics.schema.js';

const NOW = new Date('2026-03-20T15:00:00Z');
const DAY = 86_400_000;

const ids: Record<string, number> = {};

/** Four meter readings a day for `days` days ending `endDaysAgo` days before now, values in turn. */
function meter(values: readonly number[], days = 14, endDaysAgo = 0): ReadingInput[] {
  const out: ReadingInput[] = [];
  let i = 0;
  for (let d = days - 1 + endDaysAgo; d >= endDaysAgo; d--) {
    for (const h of [1, 3, 5, 7]) {
      out.push({
        valueMgDl: values[i++ % values.length] as number,
        measuredAt: new Date(NOW.getTime() - d * DAY - h * 3_600_000),
        source: 'meter',
      });
    }
  }
  return out;
}

const api = useTestApp({ clock: new ManualClock(NOW) });

beforeAll(async () => {
  const make = async (name: string, rows: ReadingInput[]) => {
    const p = await createPatient(api.db.db, { name });
    if (rows.length > 0) await createReadings(api.db.db, p.id, rows);
    ids[name] = p.id;
  };
  await make('Good', meter([120, 130, 110, 150]));
  await make('Hypo', meter([45, ...Array(13).fill(120)]));
  await make('MildHypo', meter([60, ...Array(17).fill(120)]));
  await make('High', meter([120, 240]));
  await make('Stale', meter([120], 4, 10));
  await make('Never', []);
});

async function triage(who: TokenFor, query = ''): Promise<{ status: number; body: TriagePage }> {
  const res = await api.app.inject({
    method: 'GET',
    url: `/v1/triage${query}`,
    headers: bearer(await tokenFor(api.app, who)),
  });
  return { status: res.statusCode, body: res.json() };
}

describe('triage', () => {
  it('ranks hypoglycemia first, then missing data, then targets not met, then on target', async () => {
    const { status, body } = await triage(clinician());
    expect(status).toBe(200);
    expect(body.data.map((e) => [e.name, e.tier])).toEqual([
      ['Hypo', 'hypoglycemia'],
      ['MildHypo', 'hypoglycemia'],
      ['Never', 'no_recent_data'],
      ['Stale', 'no_recent_data'],
      ['High', 'above_targets'],
      ['Good', 'on_target'],
    ]);
    expect(body).toMatchObject({ total: 6, page: 1, perPage: 20, windowDays: 14, basis: 'count' });
    expect(body.ranking).toMatch(/hypoglycemia/);
  });

  it('explains each position with count-based figures and flags', async () => {
    const { body } = await triage(clinician());
    const by = Object.fromEntries(body.data.map((e) => [e.name, e]));
    expect(by.Hypo).toMatchObject({ rank: 1, patientId: ids.Hypo, count: 56, daysWithData: 14 });
    expect(by.Hypo?.percent.veryLow).toBe(7.1);
    expect(by.Hypo?.flags).toEqual(['below_54_over_1_percent', 'below_70_over_4_percent']);
    expect(by.MildHypo?.flags).toEqual(['below_70_over_4_percent']);
    expect(by.High).toMatchObject({ meanMgDl: 180, gri: 40 });
    expect(by.High?.flags).toEqual(['in_range_under_70_percent', 'above_180_over_25_percent']);
    expect(by.Stale).toMatchObject({ count: 16, daysWithData: 4 });
    expect(by.Stale?.flags).toEqual(['no_reading_7_days']);
    expect(by.Stale?.daysSinceLastReading).toBeCloseTo(10 + 1 / 24, 1);
    expect(by.Never).toMatchObject({ count: 0, lastReadingAt: null, meanMgDl: null, gri: null });
    expect(by.Never?.flags).toEqual(['never_measured', 'no_readings_in_window']);
    expect(by.Good?.flags).toEqual([]);
  });

  it('pages with page/perPage and keeps the total', async () => {
    const { body } = await triage(clinician(), '?page=2&perPage=2');
    expect(body.data.map((e) => [e.rank, e.name])).toEqual([
      [3, 'Never'],
      [4, 'Stale'],
    ]);
    expect(body.total).toBe(6);
    const past = await triage(clinician(), '?page=9&perPage=2');
    expect(past.body).toMatchObject({ data: [], total: 6 });
  });

  it('audits each read with the count and the ids returned, never values', async () => {
    await triage(clinician(7), '?perPage=3');
    const rows = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'triage.read'), eq(auditEvents.actorId, 7)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'success', actorRole: 'clinician' });
    expect(rows[0]?.details).toEqual({
      page: 1,
      perPage: 3,
      returned: 3,
      total: 6,
      patientIds: [ids.Hypo, ids.MildHypo, ids.Never],
    });
  });

  it('is refused to assistants and admins (403) and to patients (401)', async () => {
    expect((await triage({ kind: 'staff', id: 3, roles: ['assistant'] })).status).toBe(403);
    expect((await triage(admin())).status).toBe(403);
    expect((await triage(patient(ids.Good))).status).toBe(401);
  });
});
