import { describe, expect, it } from 'vitest';
import { WHOLE_MG_DL_BAND_EDGES } from '../../../test/fixtures/bands.js';
import { bandOf } from '../readings/readings.summaries.js';
import {
  binStart,
  cv,
  gmi,
  gri,
  inferIntervalMinutes,
  localDates,
  localDays,
  MG_DL_PER_MMOL_L,
  meanSdFromSums,
  percents,
  previousWindow,
  resolveWindow,
  sufficiency,
  triageFlags,
  WindowError,
  zoneSegments,
} from './analytics.formulas.js';

/** A value entered in mmol/L as the readings module stores it: converted, one decimal. */
const fromMmol = (mmol: number) => Math.round(mmol * MG_DL_PER_MMOL_L * 10) / 10;

describe('consensus bands (classification on whole mg/dL)', () => {
  it.each([...WHOLE_MG_DL_BAND_EDGES, [53.4, 'veryLow'], [53.5, 'low'], [180.4, 'inRange'], [180.5, 'high']] as const)(
    '%s mg/dL is %s',
    (value, band) => {
      expect(bandOf(value)).toBe(band);
    },
  );

  it.each([
    [3.0, 54.0, 'low'],
    [3.9, 70.3, 'inRange'],
    [10.0, 180.2, 'inRange'],
    [13.9, 250.4, 'high'],
  ] as const)('%s mmol/L is stored as %s mg/dL and classified %s', (mmol, stored, band) => {
    expect(fromMmol(mmol)).toBe(stored);
    expect(bandOf(stored)).toBe(band);
  });
});

describe('GMI (Bergenstal 2018)', () => {
  it.each([
    [100, 5.7, 38.8],
    [154, 6.99, 52.9],
    [300, 10.49, 91.1],
  ])('mean %s mg/dL → GMI %s (percent), %s mmol/mol', (mean, percent, mmolPerMol) => {
    expect(gmi(mean)).toEqual({ percent, mmolPerMol });
  });

  it('is not the ADAG estimated A1c', () => {
    // ADAG: (154 + 46.7) / 28.7 = 6.99 as well, but at 300 it gives 12.08, not 10.49.
    expect(gmi(300).percent).not.toBeCloseTo((300 + 46.7) / 28.7, 1);
  });
});

describe('mean, SD and CV', () => {
  it('computes the population SD from sums, and CV = SD / mean × 100', () => {
    const values = [100, 120, 140, 160, 180];
    const sum = values.reduce((s, v) => s + v, 0);
    const sumSq = values.reduce((s, v) => s + v * v, 0);
    const { mean, sd } = meanSdFromSums(values.length, sum, sumSq);
    expect(mean).toBe(140);
    expect(sd).toBeCloseTo(Math.sqrt(800), 10); // deviations ±40, ±20, 0 → variance 4000 / 5
    expect(cv(140, sd as number)).toBeCloseTo(20.203, 3);
  });

  it('is null without valued readings, and never NaN for constant data', () => {
    expect(meanSdFromSums(0, 0, 0)).toEqual({ mean: null, sd: null });
    expect(meanSdFromSums(3, 3 * 100.1, 3 * 100.1 * 100.1).sd).toBeGreaterThanOrEqual(0);
    expect(cv(0, 0)).toBeNull();
  });
});

describe('percentages and GRI', () => {
  it('gives shares of the whole, null for an empty window', () => {
    expect(percents({ veryLow: 1, low: 3, inRange: 14, high: 1, veryHigh: 1 })).toEqual({
      veryLow: 5,
      low: 15,
      inRange: 70,
      high: 5,
      veryHigh: 5,
    });
    expect(percents({ veryLow: 0, low: 0, inRange: 0, high: 0, veryHigh: 0 }).inRange).toBeNull();
  });

  it('GRI = 3.0 × (VLow + 0.8 Low) + 1.6 × (VHigh + 0.5 High), capped at 100, with its zone', () => {
    expect(gri({ veryLow: 1, low: 3, inRange: 76, high: 15, veryHigh: 5 })).toEqual({
      value: 30.2, // 3 × 3.4 + 1.6 × 12.5
      hypoComponent: 3.4,
      hyperComponent: 12.5,
      zone: 'B',
    });
    expect(gri({ veryLow: 40, low: 20, inRange: 40, high: 0, veryHigh: 0 })?.value).toBe(100);
    expect(gri({ veryLow: 0, low: 0, inRange: 100, high: 0, veryHigh: 0 })?.zone).toBe('A');
    expect(gri({ veryLow: null, low: null, inRange: null, high: null, veryHigh: null })).toBeNull();
  });
});

describe('sampling interval and sufficiency', () => {
  it('infers a 15-minute device from the median gap, 5 minutes otherwise', () => {
    expect(inferIntervalMinutes(5)).toBe(5);
    expect(inferIntervalMinutes(5.2)).toBe(5);
    expect(inferIntervalMinutes(15)).toBe(15);
    expect(inferIntervalMinutes(null)).toBe(5);
  });

  const base = {
    count: 4032,
    cgmCount: 4032,
    windowMinutes: 14 * 1440,
    windowDays: 14,
    intervalMinutes: 5,
    daysWithData: 14,
  };

  it('is sufficient with 14 days and ≥ 70 % of possible readings', () => {
    expect(sufficiency(base)).toMatchObject({ sufficient: true, percentActive: 100, reasons: [] });
    expect(sufficiency({ ...base, cgmCount: 2823 })).toMatchObject({ sufficient: true, percentActive: 70 });
  });

  it('says why it is not', () => {
    expect(sufficiency({ ...base, cgmCount: 2800, count: 2800 })).toMatchObject({
      sufficient: false,
      percentActive: 69.4,
      reasons: ['cgm_active_below_70_percent'],
    });
    expect(sufficiency({ ...base, windowDays: 7, windowMinutes: 7 * 1440, cgmCount: 2016 }).reasons).toEqual([
      'window_shorter_than_14_days',
    ]);
    expect(sufficiency({ ...base, cgmCount: 0, count: 56 }).reasons).toEqual(['no_cgm_data']);
    expect(sufficiency({ ...base, cgmCount: 0, count: 0, daysWithData: 0 }).reasons).toEqual(['no_readings']);
  });

  it('counts a 15-minute device against 96 possible readings a day', () => {
    expect(sufficiency({ ...base, cgmCount: 14 * 96, count: 14 * 96, intervalMinutes: 15 }).percentActive).toBe(100);
  });
});

describe('windows', () => {
  const now = new Date('2026-03-20T15:00:00Z');

  it('defaults to the last 14 local days ending now', () => {
    const w = resolveWindow({}, 'America/Argentina/Buenos_Aires', now);
    expect(w.to).toEqual(now);
    expect(w.from.toISOString()).toBe('2026-03-06T15:00:00.000Z');
    expect(localDays(w)).toBe(14);
  });

  it('keeps the wall-clock time across a DST change: 14 local days are 335 hours in New York in March', () => {
    const w = resolveWindow({}, 'America/New_York', now);
    expect(w.from.toISOString()).toBe('2026-03-06T16:00:00.000Z'); // 11:00 EST, 11:00 EDT at `to`
    expect((w.to.getTime() - w.from.getTime()) / 3_600_000).toBe(335);
    expect(localDays(w)).toBe(14);
  });

  it('reads date-only bounds as local days, the `to` day included', () => {
    const w = resolveWindow({ from: '2026-03-01', to: '2026-03-14' }, 'Europe/Madrid', now);
    expect(w.from.toISOString()).toBe('2026-02-28T23:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-03-14T23:00:00.000Z');
    expect(localDates(w)).toHaveLength(14);
    expect(localDates(w)[0]).toBe('2026-03-01');
  });

  it('refuses an empty, reversed or over-long window, naming the field', () => {
    const tz = 'UTC';
    expect(() => resolveWindow({ from: '2026-03-10T00:00:00Z', to: '2026-03-10T00:00:00Z' }, tz, now)).toThrow(
      WindowError,
    );
    expect(() => resolveWindow({ from: '2024-01-01' }, tz, now)).toThrow(/at most 366 days/);
    expect(() => resolveWindow({ from: '2026-04-01' }, tz, now)).toThrow(/after from/);
  });

  it('previous is the window of equal length just before', () => {
    const w = resolveWindow({ from: '2026-03-01T00:00:00Z', to: '2026-03-15T00:00:00Z' }, 'UTC', now);
    expect(previousWindow(w)).toEqual({
      from: new Date('2026-02-15T00:00:00Z'),
      to: new Date('2026-03-01T00:00:00Z'),
      timezone: 'UTC',
    });
  });

  it('names AGP bins by their local start', () => {
    expect([binStart(0), binStart(1), binStart(32), binStart(95)]).toEqual(['00:00', '00:15', '08:00', '23:45']);
  });
});

describe('triage flags', () => {
  const bands = { veryLow: 0, low: 0, inRange: 100, high: 0, veryHigh: 0 };

  it('flags nothing for a patient on target who measured today', () => {
    expect(triageFlags({ bands, cvPercent: 20, daysSinceLastReading: 0.2 })).toEqual([]);
  });

  it('flags hypoglycemia at > 1 % below 54 and > 4 % below 70 (strictly above the target)', () => {
    expect(
      triageFlags({ bands: { ...bands, veryLow: 1, inRange: 99 }, cvPercent: 20, daysSinceLastReading: 0 }),
    ).toEqual([]);
    expect(
      triageFlags({ bands: { ...bands, veryLow: 2, low: 3, inRange: 95 }, cvPercent: 20, daysSinceLastReading: 0 }),
    ).toEqual(['below_54_over_1_percent', 'below_70_over_4_percent']);
  });

  it('flags missing data and targets not met', () => {
    expect(triageFlags({ bands: { ...bands, inRange: 0 }, cvPercent: null, daysSinceLastReading: null })).toEqual([
      'never_measured',
      'no_readings_in_window',
    ]);
    expect(
      triageFlags({ bands: { ...bands, inRange: 60, high: 34, veryHigh: 6 }, cvPercent: 40, daysSinceLastReading: 8 }),
    ).toEqual([
      'no_reading_7_days',
      'in_range_under_70_percent',
      'above_180_over_25_percent',
      'above_250_over_5_percent',
      'cv_over_36_percent',
    ]);
  });
});

describe('zone offset segments', () => {
  it('finds the DST changes of New York to the minute', () => {
    const z = zoneSegments('America/New_York', new Date('2026-01-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z'));
    expect(z.transitions.map((d) => d.toISOString())).toEqual(['2026-03-08T07:00:00.000Z', '2026-11-01T06:00:00.000Z']);
    expect(z.offsetsSec).toEqual([-18000, -14400, -18000]);
  });

  it('finds a half-hour change at a half-hour UTC instant (Lord Howe Island)', () => {
    const z = zoneSegments('Australia/Lord_Howe', new Date('2026-09-20T00:00:00Z'), new Date('2026-10-20T00:00:00Z'));
    expect(z.transitions.map((d) => d.toISOString())).toEqual(['2026-10-03T15:30:00.000Z']);
    expect(z.offsetsSec).toEqual([37800, 39600]);
  });

  it('has one segment in a zone without DST', () => {
    const z = zoneSegments(
      'America/Argentina/Buenos_Aires',
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-12-31T00:00:00Z'),
    );
    expect(z).toEqual({ transitions: [], offsetsSec: [-10800] });
  });
});
