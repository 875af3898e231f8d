/**
 * Statistics through the HTTP route, on real SQL: golden numbers for bands, GMI, CV, time weighting,
 * sufficiency, episodes, per-day counts and the previous window. "Now" is a ManualClock.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, clinician, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings, type ReadingInput } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { ManualClock } from '../../lib/clock.js';
import { type Band, bandOf } from '../readings/readings.summaries.js';
import type { Stats } from './analytics.schema.js';

const NOW = new Date('2026-03-20T15:00:00Z');
const MIN = 60_000;

let staff: Record<string, string>;

const api = useTestApp({ clock: new ManualClock(NOW) });

beforeAll(async () => {
  staff = bearer(await tokenFor(api.app, clinician()));
});

async function stats(patientId: number, query = ''): Promise<Stats> {
  const res = await api.app.inject({ method: 'GET', url: `/v1/patients/${patientId}/stats${query}`, headers: staff });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** A CGM series every `step` minutes from `start`, one value per reading. */
function series(start: Date, values: readonly number[], step = 5, source: ReadingInput['source'] = 'cgm') {
  return values.map((valueMgDl, i) => ({ valueMgDl, measuredAt: new Date(start.getTime() + i * step * MIN), source }));
}

const at = (iso: string) => new Date(iso);
const repeat = (v: number, n: number) => Array.from({ length: n }, () => v);

describe('bands', () => {
  it('classifies the consensus edges on whole mg/dL, mmol/L-entered values included', async () => {
    const p = await createPatient(api.db.db);
    const values = [53, 54, 69, 70, 180, 181, 250, 251, 54.0, 70.3, 180.2, 250.4];
    await createReadings(api.db.db, p.id, series(at('2026-03-19T08:00:00Z'), values, 60, 'meter'));
    const s = await stats(p.id);
    expect(s.bands.basis).toBe('count');
    const counts = Object.fromEntries(
      (['veryLow', 'low', 'inRange', 'high', 'veryHigh'] as const).map((b) => [b, s.bands[b].count]),
    );
    expect(counts).toEqual({ veryLow: 1, low: 3, inRange: 4, high: 3, veryHigh: 1 });
    expect(s.bands.inRange.percent).toBe(33.3);
    expect(s.bands.inRange.minutes).toBeNull();
  });

  it('agrees with bandOf on every tenth of a mg/dL from 40 to 300', async () => {
    const p = await createPatient(api.db.db);
    const values = Array.from({ length: 2601 }, (_, i) => Math.round((40 + i / 10) * 10) / 10);
    await createReadings(api.db.db, p.id, series(at('2026-03-19T00:00:00Z'), values, 0.25, 'meter'));
    const expected: Record<Band, number> = { veryLow: 0, low: 0, inRange: 0, high: 0, veryHigh: 0 };
    for (const v of values) expected[bandOf(v)] += 1;
    const s = await stats(p.id);
    expect({
      veryLow: s.bands.veryLow.count,
      low: s.bands.low.count,
      inRange: s.bands.inRange.count,
      high: s.bands.high.count,
      veryHigh: s.bands.veryHigh.count,
    }).toEqual(expected);
  });

  it('counts LO as very low and HI as very high, and leaves deleted and control-solution readings out', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(
      api.db.db,
      p.id,
      series(at('2026-03-19T08:00:00Z'), [100, 100, 100, 100, 300, 40], 60, 'meter'),
    );
    const t = (h: number) => `2026-03-19T${String(8 + h).padStart(2, '0')}:00:00Z`;
    await api.db.db.execute(sql`update readings set value_mg_dl = null, range_flag = 'LO'
      where patient_id = ${p.id} and measured_at = ${t(0)}::timestamptz`);
    await api.db.db.execute(sql`update readings set value_mg_dl = null, range_flag = 'HI'
      where patient_id = ${p.id} and measured_at = ${t(1)}::timestamptz`);
    await api.db.db.execute(sql`update readings set sample_type = 'control_solution'
      where patient_id = ${p.id} and measured_at = ${t(4)}::timestamptz`);
    await api.db.db.execute(sql`update readings set deleted_at = now()
      where patient_id = ${p.id} and measured_at = ${t(5)}::timestamptz`);
    const s = await stats(p.id);
    expect(s.count).toBe(4);
    expect(s.valuedCount).toBe(2);
    expect(s.meanMgDl).toBe(100);
    expect([s.bands.veryLow.count, s.bands.inRange.count, s.bands.veryHigh.count]).toEqual([1, 2, 1]);
  });

  it('reports the personal target range next to the consensus bands', async () => {
    const p = await createPatient(api.db.db, { targetLowMgDl: 63, targetHighMgDl: 140 });
    await createReadings(api.db.db, p.id, series(at('2026-03-19T08:00:00Z'), [62, 63, 140, 141, 100], 60, 'meter'));
    const s = await stats(p.id);
    expect(s.thresholds.target).toEqual({ low: 63, high: 140 });
    expect(s.target).toMatchObject({ lowMgDl: 63, highMgDl: 140, count: 3, countPercent: 60, percent: 60 });
    expect(s.bands.inRange.count).toBe(3); // 140, 141, 100 (62 and 63 are low by consensus)
  });
});

describe('mean, GMI and CV', () => {
  it('gives GMI 6.99 % (52.9 mmol/mol) for a mean of 154 mg/dL', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(api.db.db, p.id, series(at('2026-03-19T08:00:00Z'), [144, 154, 164], 60, 'meter'));
    const s = await stats(p.id);
    expect(s.meanMgDl).toBe(154);
    expect(s.gmi).toEqual({ percent: 6.99, mmolPerMol: 52.9 });
  });

  it('computes SD (population) and CV, and says whether glucose is stable', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(api.db.db, p.id, series(at('2026-03-19T08:00:00Z'), [100, 120, 140, 160, 180], 60, 'meter'));
    const s = await stats(p.id);
    expect([s.meanMgDl, s.sdMgDl, s.cvPercent, s.cvStable]).toEqual([140, 28.3, 20.2, true]);
    expect([s.minMgDl, s.maxMgDl]).toEqual([100, 180]);
  });

  it('returns nulls, not zeros, for an empty window, and still states window, thresholds and sufficiency', async () => {
    const p = await createPatient(api.db.db);
    const s = await stats(p.id);
    expect(s).toMatchObject({ count: 0, meanMgDl: null, sdMgDl: null, cvPercent: null, gmi: null, gri: null });
    expect(s.window).toEqual({
      from: '2026-03-06T15:00:00.000Z',
      to: NOW.toISOString(),
      timezone: 'America/Argentina/Buenos_Aires',
      days: 14,
    });
    expect(s.thresholds).toMatchObject({ veryLow: 54, low: 70, high: 180, veryHigh: 250 });
    expect(s.sufficiency).toMatchObject({ sufficient: false, reasons: ['no_readings'], percentActive: 0 });
    expect(s.bands.inRange.percent).toBeNull();
  });
});

describe('time weighting (CGM)', () => {
  it('lets each reading stand until the next, capped at the interval, and leaves gaps uncounted', async () => {
    const p = await createPatient(api.db.db);
    const t0 = at('2026-03-20T10:00:00Z');
    const rows = [
      ...series(t0, [100, 110, 120]), // 0, 5, 10 → 5 min each (the third capped: the next is 40 min later)
      ...series(new Date(t0.getTime() + 50 * MIN), [200, 210]), // 50, 55 → 5 each
      ...series(new Date(t0.getTime() + 98 * MIN), [300]), // 98: stands until the window end, 2 min
    ];
    await createReadings(api.db.db, p.id, rows);
    const to = new Date(t0.getTime() + 100 * MIN).toISOString();
    const s = await stats(p.id, `?from=${t0.toISOString()}&to=${to}`);
    expect(s.bands.basis).toBe('time');
    expect(s.sufficiency.intervalMinutes).toBe(5);
    expect([s.bands.inRange.minutes, s.bands.high.minutes, s.bands.veryHigh.minutes]).toEqual([15, 10, 2]);
    expect([s.bands.inRange.percent, s.bands.high.percent, s.bands.veryHigh.percent]).toEqual([55.6, 37, 7.4]);
    // The plain counts are reported too, and differ.
    expect([s.bands.inRange.countPercent, s.bands.high.countPercent, s.bands.veryHigh.countPercent]).toEqual([
      50, 33.3, 16.7,
    ]);
    expect(s.tightRange).toMatchObject({ lowMgDl: 70, highMgDl: 140, minutes: 15, count: 3 });
  });

  it('infers a 15-minute device and counts each of its readings for 15 minutes', async () => {
    const p = await createPatient(api.db.db);
    const from = at('2026-03-18T00:00:00Z');
    await createReadings(api.db.db, p.id, series(from, repeat(120, 96), 15));
    const s = await stats(p.id, `?from=${from.toISOString()}&to=2026-03-19T00:00:00Z`);
    expect(s.sufficiency.intervalMinutes).toBe(15);
    expect(s.sufficiency.percentActive).toBe(100);
    expect(s.bands.inRange.minutes).toBe(1440);
  });
});

describe('data sufficiency', () => {
  const from = new Date(NOW.getTime() - 14 * 86_400_000);

  it('is sufficient with 14 days of CGM data at ≥ 70 % of possible readings', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(api.db.db, p.id, series(from, repeat(120, 14 * 288)));
    const s = await stats(p.id, `?from=${from.toISOString()}&to=${NOW.toISOString()}`);
    expect(s.sufficiency).toEqual({
      sufficient: true,
      percentActive: 100,
      intervalMinutes: 5,
      daysWithData: 15,
      windowDays: 14,
      reasons: [],
    });
    expect(s.readingsPerDay.average).toBe(288);
  });

  it('is not sufficient below 70 % of possible readings, says why, and still returns the values', async () => {
    const p = await createPatient(api.db.db);
    const rows = series(from, repeat(120, 14 * 288)).filter((_, i) => i % 20 < 13); // 65 %
    await createReadings(api.db.db, p.id, rows);
    const s = await stats(p.id, `?from=${from.toISOString()}&to=${NOW.toISOString()}`);
    expect(s.sufficiency).toMatchObject({
      sufficient: false,
      percentActive: 65.1,
      reasons: ['cgm_active_below_70_percent'],
    });
    expect(s.meanMgDl).toBe(120);
    expect(s.bands.inRange.percent).toBe(100);
  });

  it('is not sufficient for a window shorter than 14 days or meter-only data', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(api.db.db, p.id, series(at('2026-03-19T08:00:00Z'), [100, 110], 60, 'meter'));
    const s = await stats(p.id, '?from=2026-03-13');
    expect(s.sufficiency.reasons).toEqual(['no_cgm_data', 'window_shorter_than_14_days']);
  });
});

describe('episodes', () => {
  it('finds ≥ 15-minute runs beyond each threshold that end after ≥ 15 minutes back', async () => {
    const p = await createPatient(api.db.db);
    const trace = [
      ...repeat(100, 4),
      ...repeat(65, 4), // hypo A starts (20 min)
      ...repeat(100, 2), // 10 min back: not enough to end it
      ...repeat(60, 2), // still A
      ...repeat(100, 4), // 20 min back: A ended, 40 min long
      ...repeat(65, 2), // 10 min: not an episode
      ...repeat(100, 4),
      ...repeat(50, 3), // hypo B and severe hypo, 15 min
      ...repeat(100, 4),
      ...repeat(200, 4), // hyper (20 min) …
      ...repeat(260, 3), // … continues; severe hyper 15 min
      ...repeat(100, 4),
    ];
    const t0 = at('2026-03-19T00:00:00Z');
    const rows = series(t0, trace);
    // After a data gap: 10 min low, 30 min without data, 10 min low — a broken series is no episode.
    const later = new Date(t0.getTime() + 6 * 3_600_000);
    rows.push(
      ...series(later, [65, 65]),
      ...series(new Date(later.getTime() + 40 * MIN), [65, 65, 100, 100, 100, 100]),
    );
    await createReadings(api.db.db, p.id, rows);
    const s = await stats(p.id);
    expect(s.episodes.hypo).toEqual({ count: 2, minutes: 55, longestMinutes: 40 });
    expect(s.episodes.severeHypo).toEqual({ count: 1, minutes: 15, longestMinutes: 15 });
    expect(s.episodes.hyper).toEqual({ count: 1, minutes: 35, longestMinutes: 35 });
    expect(s.episodes.severeHyper).toEqual({ count: 1, minutes: 15, longestMinutes: 15 });
  });
});

describe('days, contexts and the previous window', () => {
  it('counts readings per local day and describes each context', async () => {
    const p = await createPatient(api.db.db, { timezone: 'America/Argentina/Buenos_Aires' });
    await createReadings(api.db.db, p.id, [
      // 02:30 UTC on the 19th is still the 18th in Buenos Aires (UTC−3).
      { valueMgDl: 90, measuredAt: at('2026-03-19T02:30:00Z'), source: 'meter', context: 'fasting' },
      { valueMgDl: 110, measuredAt: at('2026-03-19T11:00:00Z'), source: 'meter', context: 'fasting' },
      { valueMgDl: 200, measuredAt: at('2026-03-19T16:00:00Z'), source: 'meter', context: 'lunch' },
    ]);
    const s = await stats(p.id);
    const days = Object.fromEntries(s.readingsPerDay.days.map((d) => [d.date, d.count]));
    expect(days['2026-03-18']).toBe(1);
    expect(days['2026-03-19']).toBe(2);
    expect(s.readingsPerDay.days).toHaveLength(15); // 14 days from 12:00 local touch 15 dates
    expect(s.byContext.map((c) => [c.context, c.count, c.meanMgDl, c.high])).toEqual([
      ['fasting', 2, 100, 0],
      ['lunch', 1, 200, 1],
    ]);
  });

  it('returns the same keys for the previous window of equal length', async () => {
    const p = await createPatient(api.db.db);
    await createReadings(api.db.db, p.id, [
      ...series(at('2026-03-01T12:00:00Z'), [250, 260], 60, 'meter'),
      ...series(at('2026-03-15T12:00:00Z'), [100], 60, 'meter'),
    ]);
    const s = await stats(p.id);
    expect(s.previous.window).toMatchObject({ from: '2026-02-20T15:00:00.000Z', to: '2026-03-06T15:00:00.000Z' });
    expect([s.count, s.previous.count, s.previous.meanMgDl]).toEqual([1, 2, 255]);
    expect(Object.keys(s.previous).sort()).toEqual(
      Object.keys(s)
        .filter((k) => k !== 'previous')
        .sort(),
    );
  });
});

describe('window and timezone parameters', () => {
  it('honours a tz override for day boundaries and states it', async () => {
    const p = await createPatient(api.db.db, { timezone: 'America/Argentina/Buenos_Aires' });
    await createReadings(api.db.db, p.id, [
      { valueMgDl: 100, measuredAt: at('2026-03-19T02:30:00Z'), source: 'meter' },
    ]);
    const s = await stats(p.id, '?tz=Asia/Tokyo');
    expect(s.window.timezone).toBe('Asia/Tokyo');
    expect(s.readingsPerDay.days.find((d) => d.count === 1)?.date).toBe('2026-03-19');
  });

  it('refuses an unknown zone and a reversed window with 400 naming the field', async () => {
    const p = await createPatient(api.db.db);
    const bad = await api.app.inject({
      method: 'GET',
      url: `/v1/patients/${p.id}/stats?tz=Mars/Olympus`,
      headers: staff,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual({ 'querystring.tz': 'is not a known IANA time zone' });
    const reversed = await api.app.inject({
      method: 'GET',
      url: `/v1/patients/${p.id}/stats?from=2026-03-10&to=2026-03-01`,
      headers: staff,
    });
    expect(reversed.statusCode).toBe(400);
    expect(Object.keys(reversed.json().errors)).toEqual(['querystring.to']);
    const garbage = await api.app.inject({
      method: 'GET',
      url: `/v1/patients/${p.id}/stats?from=yesterday`,
      headers: staff,
    });
    expect(garbage.statusCode).toBe(400);
  });
});
