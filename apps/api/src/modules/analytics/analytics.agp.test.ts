import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, clinician, tokenFor } from '../../../test/build-test-app.js';
import { createPatient, createReadings, type ReadingInput } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { ManualClock } from '../../lib/clock.js';
import { fromLocalMs } from '../../lib/local-time.js';
import type { Agp, Stats } from './analytics.schema.js';

let staff: Record<string, string>;

const api = useTestApp({ clock: new ManualClock('2026-11-20T15:00:00Z') });

beforeAll(async () => {
  staff = bearer(await tokenFor(api.app, clinician()));
});

async function get<T>(url: string): Promise<T> {
  const res = await api.app.inject({ method: 'GET', url, headers: staff });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** The instant of a local wall-clock time `YYYY-MM-DDTHH:MM` in `timezone`. */
const local = (timezone: string, wallClock: string) => new Date(fromLocalMs(timezone, Date.parse(`${wallClock}:00Z`)));
const day = (start: string, k: number) =>
  new Date(Date.parse(`${start}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);

describe('AGP', () => {
  it('gives the known percentiles of a synthetic trace and marks empty bins', async () => {
    const tz = 'America/Argentina/Buenos_Aires';
    const p = await createPatient(api.db.db, { timezone: tz });
    const rows: ReadingInput[] = [];
    for (let k = 0; k < 21; k++) {
      // 08:00 local: 100, 101, …, 120 over 21 days; 00:05 local: always 150.
      rows.push({ valueMgDl: 100 + k, measuredAt: local(tz, `${day('2026-10-01', k)}T08:00`) });
      rows.push({ valueMgDl: 150, measuredAt: local(tz, `${day('2026-10-01', k)}T00:05`) });
    }
    await createReadings(api.db.db, p.id, rows);
    const agp = await get<Agp>(`/v1/patients/${p.id}/agp?from=2026-10-01&to=2026-10-21`);
    expect(agp.window).toMatchObject({ timezone: tz, days: 21 });
    expect(agp.bins).toHaveLength(96);
    expect(agp.bins[32]).toEqual({
      bin: 32,
      start: '08:00',
      hasData: true,
      count: 21,
      belowRangeCount: 0,
      aboveRangeCount: 0,
      // percentile_cont over 100…120: 100 + p × 20
      p5: 101,
      p25: 105,
      p50: 110,
      p75: 115,
      p95: 119,
    });
    expect(agp.bins[0]).toMatchObject({ start: '00:00', count: 21, p5: 150, p50: 150, p95: 150 });
    expect(agp.bins.filter((b) => b.hasData).map((b) => b.bin)).toEqual([0, 32]);
    expect(agp.bins[1]).toMatchObject({ hasData: false, count: 0, p5: null, p50: null, p95: null });
    expect(agp).toMatchObject({ count: 42, daysWithData: 21, binMinutes: 15 });
  });

  it('keeps wall-clock bins across the New York spring-forward day (2026-03-08)', async () => {
    const tz = 'America/New_York';
    const p = await createPatient(api.db.db, { timezone: tz });
    const rows: ReadingInput[] = [];
    for (let k = 0; k < 7; k++) {
      const d = day('2026-03-05', k);
      rows.push({ valueMgDl: 90, measuredAt: local(tz, `${d}T01:30`) }); // bin 6
      rows.push({ valueMgDl: 120, measuredAt: local(tz, `${d}T03:30`) }); // bin 14 (after the jump on the 8th)
      rows.push({ valueMgDl: 200, measuredAt: local(tz, `${d}T08:00`) }); // bin 32
    }
    await createReadings(api.db.db, p.id, rows);
    const agp = await get<Agp>(`/v1/patients/${p.id}/agp?from=2026-03-05&to=2026-03-11`);
    const withData = agp.bins.filter((b) => b.hasData).map((b) => [b.bin, b.count, b.p50]);
    expect(withData).toEqual([
      [6, 7, 90],
      [14, 7, 120],
      [32, 7, 200],
    ]);
    // The same days through the statistics: 3 readings on each local day, none moved to a neighbour.
    const stats = await get<Stats>(`/v1/patients/${p.id}/stats?from=2026-03-05&to=2026-03-11`);
    expect(stats.window.days).toBe(7);
    expect(stats.readingsPerDay.days.map((d) => [d.date, d.count])).toEqual(
      Array.from({ length: 7 }, (_, k) => [day('2026-03-05', k), 3]),
    );
  });

  it('counts 23 hourly readings on the Madrid spring-forward day and 25 on the fall-back day', async () => {
    const tz = 'Europe/Madrid';
    const p = await createPatient(api.db.db, { timezone: tz });
    const hourly = (fromUtc: string, hours: number): ReadingInput[] =>
      Array.from({ length: hours }, (_, h) => ({
        valueMgDl: 110,
        measuredAt: new Date(Date.parse(fromUtc) + h * 3_600_000),
        source: 'meter' as const,
      }));
    // Local midnight of 03-28 is 23:00 UTC on the 27th (CET); of 10-24, 22:00 UTC on the 23rd (CEST).
    await createReadings(api.db.db, p.id, [
      ...hourly('2026-03-27T23:00:00Z', 71),
      ...hourly('2026-10-23T22:00:00Z', 73),
    ]);
    const spring = await get<Stats>(`/v1/patients/${p.id}/stats?from=2026-03-28&to=2026-03-30`);
    expect(spring.readingsPerDay.days.map((d) => [d.date, d.count])).toEqual([
      ['2026-03-28', 24],
      ['2026-03-29', 23],
      ['2026-03-30', 24],
    ]);
    const autumn = await get<Stats>(`/v1/patients/${p.id}/stats?from=2026-10-24&to=2026-10-26`);
    expect(autumn.readingsPerDay.days.map((d) => [d.date, d.count])).toEqual([
      ['2026-10-24', 24],
      ['2026-10-25', 25],
      ['2026-10-26', 24],
    ]);
    expect(autumn.window.days).toBe(3);
    // Every hour of the fall-back day lands in its wall-clock bin; 02:00–02:59 happens twice.
    const agp = await get<Agp>(`/v1/patients/${p.id}/agp?from=2026-10-25&to=2026-10-25`);
    expect(agp.bins.filter((b) => b.hasData).map((b) => b.count)).toEqual([1, 1, 2, ...Array(21).fill(1)]);
    expect(agp.bins.filter((b) => b.hasData).map((b) => b.start)).toEqual(
      Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`),
    );
  });
});
