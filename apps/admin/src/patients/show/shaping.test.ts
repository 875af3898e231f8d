import { describe, expect, it } from 'vitest';
import { agpRows, dailyProfiles, type Reading, readingPoints, thresholdLines, tirSegments } from './chartData';
import { deltaOf, formatSigned } from './delta';
import { daysBetween, localMidnight, presetWindow, tailOf, wallClock, windowInstants, zonedInstant } from './window';

const BA = 'America/Argentina/Buenos_Aires';

function reading(measuredAt: string, valueMgDl: number | null): Reading {
  return { measuredAt, valueMgDl, id: 1 } as Reading;
}

describe('window', () => {
  it('a 14-day preset ends today in the clinic zone and spans 14 calendar days', () => {
    // 02:00 UTC on the 6th is still the 5th in Buenos Aires (UTC−3).
    const w = presetWindow(14, BA, new Date('2026-12-06T02:00:00Z'));
    expect(w).toEqual({ from: '2026-11-22', to: '2026-12-05', preset: 14 });
    expect(daysBetween(w.from, w.to)).toBe(14);
  });

  it('converts local midnights and wall-clock times to instants', () => {
    expect(localMidnight('2026-12-05', BA).toISOString()).toBe('2026-12-05T03:00:00.000Z');
    expect(windowInstants({ from: '2026-12-01', to: '2026-12-05' }, BA)).toEqual({
      from: '2026-12-01T03:00:00.000Z',
      to: '2026-12-06T03:00:00.000Z',
    });
    expect(zonedInstant('2026-12-05T08:30', BA)).toBe('2026-12-05T11:30:00.000Z');
    expect(wallClock('2026-12-05T11:30:00.000Z', BA)).toBe('2026-12-05T08:30');
    // A zone with DST: Madrid is UTC+2 in July.
    expect(localMidnight('2026-07-01', 'Europe/Madrid').toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('the zoom tail never starts before the window', () => {
    expect(tailOf({ from: '2026-12-01', to: '2026-12-14' }, 3)).toEqual({ from: '2026-12-12', to: '2026-12-14' });
    expect(tailOf({ from: '2026-12-13', to: '2026-12-14' }, 7)).toEqual({ from: '2026-12-13', to: '2026-12-14' });
  });
});

describe('delta arrows', () => {
  it('separates the arrow (direction) from the clinical verdict', () => {
    expect(deltaOf(75, 70, 'higher')).toMatchObject({ direction: 'up', verdict: 'better', diff: 5 });
    expect(deltaOf(3, 5, 'lower')).toMatchObject({ direction: 'down', verdict: 'better' });
    expect(deltaOf(6, 5, 'lower')).toMatchObject({ direction: 'up', verdict: 'worse' });
    expect(deltaOf(150, 160, 'none')).toMatchObject({ direction: 'down', verdict: null });
  });

  it('no arrow without a previous value, and no arrow for a change hidden by rounding', () => {
    expect(deltaOf(70, null, 'higher')).toEqual({ diff: null, direction: null, verdict: null });
    expect(deltaOf(70.02, 70, 'higher')).toMatchObject({ direction: 'same', verdict: 'same', diff: 0 });
  });

  it('signs with a true minus, in the locale', () => {
    expect(formatSigned(2.54, 'es-AR')).toBe('+2,5');
    expect(formatSigned(-1, 'en-GB')).toBe('−1.0');
    expect(formatSigned(0, 'en-GB')).toBe('0.0');
  });
});

describe('chart shaping', () => {
  it('plots readings oldest first in the display unit and skips LO/HI flags', () => {
    const pts = readingPoints(
      [
        reading('2026-12-05T12:00:00Z', 180.2),
        reading('2026-12-05T11:00:00Z', null),
        reading('2026-12-05T10:00:00Z', 54),
      ],
      'mmol/L',
    );
    expect(pts.map((p) => [p.v, p.band])).toEqual([
      [3, 'low'],
      [10, 'in_range'],
    ]);
    expect(pts[0]?.t).toBe(Date.parse('2026-12-05T10:00:00Z'));
  });

  it('consensus lines follow the unit', () => {
    expect(thresholdLines('mg/dL')).toEqual({ veryLow: 54, low: 70, high: 180, veryHigh: 250 });
    expect(thresholdLines('mmol/L')).toEqual({ veryLow: 3, low: 3.9, high: 10, veryHigh: 13.9 });
  });

  it('AGP rows: percentile ranges per bin, gaps (not zeros) where a bin has no data', () => {
    const bins = [
      {
        bin: 0,
        start: '00:00',
        count: 20,
        hasData: true,
        p5: 60,
        p25: 90,
        p50: 120,
        p75: 150,
        p95: 220,
        aboveRangeCount: 0,
        belowRangeCount: 0,
      },
      {
        bin: 1,
        start: '00:15',
        count: 0,
        hasData: false,
        p5: null,
        p25: null,
        p50: null,
        p75: null,
        p95: null,
        aboveRangeCount: 0,
        belowRangeCount: 0,
      },
    ];
    expect(agpRows(bins, 'mg/dL')).toEqual([
      { minute: 0, outer: [60, 220], inner: [90, 150], median: 120 },
      { minute: 15, outer: null, inner: null, median: null },
    ]);
    expect(agpRows(bins, 'mmol/L')[0]?.median).toBe(6.7);
  });

  it('daily profiles group by the local calendar day', () => {
    const days = dailyProfiles(
      [reading('2026-12-05T02:30:00Z', 100), reading('2026-12-05T12:00:00Z', 140), reading('2026-12-05T03:10:00Z', 90)],
      'mg/dL',
      BA,
    );
    expect(days).toEqual([
      { date: '2026-12-04', points: [{ minute: 23 * 60 + 30, v: 100 }] },
      {
        date: '2026-12-05',
        points: [
          { minute: 10, v: 90 },
          { minute: 540, v: 140 },
        ],
      },
    ]);
  });

  it('time-in-range segments keep all five bands in order', () => {
    const band = (percent: number | null, minutes: number | null) => ({
      count: 0,
      countPercent: null,
      timePercent: percent,
      percent,
      minutes,
    });
    const segs = tirSegments({
      basis: 'time',
      veryLow: band(1, 200),
      low: band(3, 600),
      inRange: band(70, 14000),
      high: band(20, 4000),
      veryHigh: band(null, null),
    });
    expect(segs.map((s) => [s.key, s.percent, s.minutes])).toEqual([
      ['veryLow', 1, 200],
      ['low', 3, 600],
      ['inRange', 70, 14000],
      ['high', 20, 4000],
      ['veryHigh', 0, null],
    ]);
  });
});
