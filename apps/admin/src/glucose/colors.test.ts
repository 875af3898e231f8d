import { describe, expect, it } from 'vitest';
import { BAND_COLORS, bandOf, colorOf, consensusBandOf } from './colors';
import { toMgdl } from './units';

describe('reading colour thresholds', () => {
  it('below 70 is low (red), above 180 high (amber), 70 and 180 in range (green)', () => {
    expect(bandOf(69)).toBe('low');
    expect(bandOf(70)).toBe('in_range');
    expect(bandOf(180)).toBe('in_range');
    expect(bandOf(181)).toBe('high');
    expect(colorOf(69, 'light')).toBe(BAND_COLORS.light.low);
    expect(colorOf(120, 'light')).toBe(BAND_COLORS.light.in_range);
    expect(colorOf(200, 'dark')).toBe(BAND_COLORS.dark.high);
  });

  it("uses the patient's own target range when set (e.g. pregnancy 63–140)", () => {
    const target = { targetLowMgDl: 63, targetHighMgDl: 140 };
    expect(bandOf(62, target)).toBe('low');
    expect(bandOf(63, target)).toBe('in_range');
    expect(bandOf(69, target)).toBe('in_range');
    expect(bandOf(140, target)).toBe('in_range');
    expect(bandOf(141, target)).toBe('high');
    expect(bandOf(150, { targetLowMgDl: null, targetHighMgDl: null })).toBe('in_range');
  });

  it('classifies on the value rounded to a whole mg/dL (the mmol/L trap)', () => {
    expect(bandOf(toMgdl(3.9, 'mmol/L'))).toBe('in_range'); // 70.3
    expect(bandOf(toMgdl(10.0, 'mmol/L'))).toBe('in_range'); // 180.2
    expect(bandOf(180.4)).toBe('in_range');
    expect(bandOf(180.5)).toBe('high');
    expect(bandOf(69.5)).toBe('in_range');
  });

  it('five consensus bands with the documented edges', () => {
    const cases: [number, string][] = [
      [53, 'very_low'],
      [54, 'low'],
      [69, 'low'],
      [70, 'in_range'],
      [180, 'in_range'],
      [181, 'high'],
      [250, 'high'],
      [251, 'very_high'],
    ];
    for (const [mgdl, band] of cases) expect(consensusBandOf(mgdl), String(mgdl)).toBe(band);
    expect(consensusBandOf(toMgdl(3.0, 'mmol/L'))).toBe('low');
    expect(consensusBandOf(toMgdl(13.9, 'mmol/L'))).toBe('high');
  });
});
