import { describe, expect, it } from 'vitest';
import { formatGlucose, MGDL_PER_MMOLL, roundForDisplay, toMgdl, toUnit } from './units';

describe('glucose units (clinical.md)', () => {
  it('uses 18.0156 mg/dL per mmol/L', () => {
    expect(MGDL_PER_MMOLL).toBe(18.0156);
    expect(toUnit(180.156, 'mmol/L')).toBeCloseTo(10, 10);
    expect(toUnit(123, 'mg/dL')).toBe(123);
  });

  it('converts typed mmol/L to mg/dL with one stored decimal', () => {
    expect(toMgdl(10, 'mmol/L')).toBe(180.2);
    expect(toMgdl(3.9, 'mmol/L')).toBe(70.3);
    expect(toMgdl(3.0, 'mmol/L')).toBe(54); // 54.0468
    expect(toMgdl(13.9, 'mmol/L')).toBe(250.4);
    expect(toMgdl(99, 'mg/dL')).toBe(99);
  });

  it('rounds for display: whole mg/dL, one-decimal mmol/L', () => {
    expect(roundForDisplay(99.6, 'mg/dL')).toBe(100);
    expect(roundForDisplay(180, 'mmol/L')).toBe(10);
    expect(roundForDisplay(70, 'mmol/L')).toBe(3.9);
    expect(roundForDisplay(54, 'mmol/L')).toBe(3);
  });

  it('formats in the user locale with the unit', () => {
    expect(formatGlucose(140, 'mmol/L', 'es')).toBe('7,8 mmol/L');
    expect(formatGlucose(140, 'mmol/L', 'en')).toBe('7.8 mmol/L');
    expect(formatGlucose(54, 'mmol/L', 'en')).toBe('3.0 mmol/L');
    expect(formatGlucose(140.4, 'mg/dL', 'es')).toBe('140 mg/dL');
    expect(formatGlucose(140, 'mg/dL', 'es', false)).toBe('140');
    expect(formatGlucose(null, 'mg/dL', 'es')).toBe('—');
    expect(formatGlucose(Number.NaN, 'mg/dL', 'es')).toBe('—');
  });
});
