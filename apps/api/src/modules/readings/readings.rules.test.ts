/** Pure reading rules: units, the mmol/L trap, plausible range, meter flags, time window, legacy types. */
import { describe, expect, it } from 'vitest';
import { WHOLE_MG_DL_BAND_EDGES } from '../../../test/fixtures/bands.js';
import { applyReadings, effective, type GamificationState, previousDay } from './readings.gamification.js';
import {
  checkReadingInput,
  contextFromLegacy,
  LEGACY_READING_TYPES,
  legacyTypeOf,
  mgDlToMmol,
  mmolToMgDl,
  normaliseValue,
} from './readings.rules.js';
import { bandOf } from './readings.summaries.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('units and bands (clinical.md)', () => {
  it('converts mmol/L with 18.0156 and stores one decimal', () => {
    expect(mmolToMgDl(3.0)).toBe(54);
    expect(mmolToMgDl(3.9)).toBe(70.3);
    expect(mmolToMgDl(10.0)).toBe(180.2);
    expect(mmolToMgDl(13.9)).toBe(250.4);
    expect(mgDlToMmol(180)).toBe(10);
  });

  it('classifies the band edges in mg/dL: 54 is low, 70 and 180 are in range', () => {
    for (const [v, band] of WHOLE_MG_DL_BAND_EDGES) expect([v, bandOf(v)]).toEqual([v, band]);
  });

  it('classifies meter values entered in mmol/L as the consensus intends (the mmol/L trap)', () => {
    expect(bandOf(mmolToMgDl(3.0))).toBe('low');
    expect(bandOf(mmolToMgDl(3.9))).toBe('inRange');
    expect(bandOf(mmolToMgDl(10.0))).toBe('inRange');
    expect(bandOf(mmolToMgDl(13.9))).toBe('high');
  });

  it('counts LO as very low and HI as very high', () => {
    expect(bandOf(null, 'LO')).toBe('veryLow');
    expect(bandOf(null, 'HI')).toBe('veryHigh');
  });
});

describe('normaliseValue', () => {
  it('accepts exactly one of valueMgDl and value', () => {
    expect(normaliseValue({ valueMgDl: 120 })).toEqual({ valueMgDl: 120, rangeFlag: null, unit: 'mg/dL' });
    expect(normaliseValue({ value: 6.5, unit: 'mmol/L' })).toEqual({
      valueMgDl: 117.1,
      rangeFlag: null,
      unit: 'mmol/L',
    });
    expect(normaliseValue({})).toHaveProperty(['body.valueMgDl']);
    expect(normaliseValue({ valueMgDl: 120, value: 120 })).toHaveProperty(['body.valueMgDl']);
  });

  it('refuses implausible values in the unit they were entered in', () => {
    expect(normaliseValue({ valueMgDl: 9.9 })).toEqual({ 'body.valueMgDl': 'must be between 10 and 1000 mg/dL' });
    expect(normaliseValue({ valueMgDl: 1000.1 })).toHaveProperty(['body.valueMgDl']);
    expect(normaliseValue({ value: 0.5, unit: 'mmol/L' })).toEqual({
      'body.value': 'must be between 0.6 and 55.5 mmol/L',
    });
    expect(normaliseValue({ value: 55.6, unit: 'mmol/L' })).toHaveProperty(['body.value']);
    expect(normaliseValue({ valueMgDl: 10 })).toMatchObject({ valueMgDl: 10 });
    expect(normaliseValue({ valueMgDl: 1000 })).toMatchObject({ valueMgDl: 1000 });
  });

  it('takes the meter flags LO and HI as flags, not numbers', () => {
    expect(normaliseValue({ value: 'LO' })).toEqual({ valueMgDl: null, rangeFlag: 'LO', unit: 'mg/dL' });
    expect(normaliseValue({ value: 'HI', unit: 'mmol/L' })).toEqual({
      valueMgDl: null,
      rangeFlag: 'HI',
      unit: 'mmol/L',
    });
  });
});

describe('checkReadingInput', () => {
  const ok = { valueMgDl: 110, measuredAt: '2026-03-01T08:00:00-03:00' };

  it('accepts a reading with an offset and refuses one without', () => {
    expect(checkReadingInput(ok, NOW).ok).toBe(true);
    const r = checkReadingInput({ ...ok, measuredAt: '2026-03-01T08:00:00' }, NOW);
    expect(r.ok).toBe(false);
    expect(r.ok ? null : Object.keys(r.errors)).toEqual(['body.measuredAt']);
  });

  it('refuses a reading more than 10 minutes in the future, accepts one 9 minutes ahead', () => {
    const ahead = (min: number) => new Date(NOW + min * 60_000).toISOString();
    expect(checkReadingInput({ ...ok, measuredAt: ahead(9) }, NOW).ok).toBe(true);
    const r = checkReadingInput({ ...ok, measuredAt: ahead(11) }, NOW);
    expect(r.ok ? null : r.errors).toEqual({ 'body.measuredAt': 'is more than 10 minutes in the future' });
  });

  it('names unknown fields, bad enums and over-long notes, with the item prefix', () => {
    const r = checkReadingInput(
      { ...ok, context: 'DESAYUNO', colour: 'red', notes: 'x'.repeat(1001) },
      NOW,
      'readings.3',
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors).sort()).toEqual(['readings.3.colour', 'readings.3.context', 'readings.3.notes']);
    }
  });

  it('needs a device id for a sequence number', () => {
    const r = checkReadingInput({ ...ok, sequenceNumber: 4 }, NOW);
    expect(r.ok ? null : r.errors).toEqual({
      'body.sequenceNumber': 'needs deviceId (a sequence number is per device)',
    });
  });
});

describe('legacy reading types', () => {
  it('map onto contexts and back without loss', () => {
    for (const legacy of Object.keys(LEGACY_READING_TYPES) as (keyof typeof LEGACY_READING_TYPES)[]) {
      expect(legacyTypeOf(contextFromLegacy(legacy))).toBe(legacy);
    }
    expect(contextFromLegacy('MERIENDA')).toBe('snack');
    expect(legacyTypeOf('fasting')).toBe('OTRO');
  });
});

describe('gamification (legacy streak rules)', () => {
  const zero: GamificationState = {
    timesMeasured: 0,
    streak: 0,
    maxStreak: 0,
    fourTimesToday: 0,
    counterDay: null,
    streakLastDate: null,
  };
  const day = (d: string, n: number) => Array.from({ length: n }, () => d);

  it('cycles four_times_today 0-3 and advances the streak on the 4th reading of a day', () => {
    let s = applyReadings(zero, day('2026-03-01', 3));
    expect(s).toMatchObject({ timesMeasured: 3, fourTimesToday: 3, streak: 0 });
    s = applyReadings(s, day('2026-03-01', 1));
    expect(s).toMatchObject({
      timesMeasured: 4,
      fourTimesToday: 0,
      streak: 1,
      maxStreak: 1,
      streakLastDate: '2026-03-01',
    });
    // Eight readings in one day still advance the streak once.
    s = applyReadings(s, day('2026-03-01', 4));
    expect(s).toMatchObject({ timesMeasured: 8, streak: 1 });
  });

  it('continues on consecutive days, restarts after a missed day, keeps max_streak', () => {
    let s = applyReadings(zero, [...day('2026-03-01', 4), ...day('2026-03-02', 4), ...day('2026-03-03', 4)]);
    expect(s).toMatchObject({ streak: 3, maxStreak: 3 });
    expect(effective(s, '2026-03-04').streak).toBe(3);
    expect(effective(s, '2026-03-05').streak).toBe(0);
    s = applyReadings(s, day('2026-03-05', 4));
    expect(s).toMatchObject({ streak: 1, maxStreak: 3 });
  });

  it('shows four_times_today as 0 on a new day and ignores late readings of a past day for the streak', () => {
    let s = applyReadings(zero, day('2026-03-02', 2));
    expect(effective(s, '2026-03-03').fourTimesToday).toBe(0);
    s = applyReadings(s, day('2026-03-01', 4));
    expect(s).toMatchObject({ timesMeasured: 6, fourTimesToday: 2, counterDay: '2026-03-02', streak: 0 });
  });

  it('knows the day before across month and year ends', () => {
    expect(previousDay('2026-03-01')).toBe('2026-02-28');
    expect(previousDay('2027-01-01')).toBe('2026-12-31');
  });
});
