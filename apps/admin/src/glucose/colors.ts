/**
 * Reading colours: below the low edge red, above the high edge amber, in range green. The edges are
 * the patient's own target range when set, else the consensus 70–180 mg/dL (clinical.md). The
 * comparison is on the value rounded to a whole mg/dL, so a meter's 3.9 mmol/L (70.26) and 10.0
 * mmol/L (180.16) count as in range, exactly as the consensus intends.
 */
export const CONSENSUS = { veryLow: 54, low: 70, high: 180, veryHigh: 250 } as const;

export type GlucoseBand = 'low' | 'in_range' | 'high';

export interface TargetRange {
  targetLowMgDl?: number | null;
  targetHighMgDl?: number | null;
}

export function bandOf(mgdl: number, target?: TargetRange): GlucoseBand {
  const low = target?.targetLowMgDl ?? CONSENSUS.low;
  const high = target?.targetHighMgDl ?? CONSENSUS.high;
  const rounded = Math.round(mgdl);
  if (rounded < low) return 'low';
  if (rounded > high) return 'high';
  return 'in_range';
}

/** Five consensus bands, for the time-in-range bar and chart lines. */
export type ConsensusBand = 'very_low' | 'low' | 'in_range' | 'high' | 'very_high';

export function consensusBandOf(mgdl: number): ConsensusBand {
  const v = Math.round(mgdl);
  if (v < CONSENSUS.veryLow) return 'very_low';
  if (v < CONSENSUS.low) return 'low';
  if (v <= CONSENSUS.high) return 'in_range';
  if (v <= CONSENSUS.veryHigh) return 'high';
  return 'very_high';
}

/**
 * Colours chosen to keep ≥ 4.5:1 contrast as text on the light and the dark paper; pair them with
 * a label or icon, never colour alone.
 */
export const BAND_COLORS: Record<'light' | 'dark', Record<GlucoseBand | ConsensusBand, string>> = {
  light: {
    very_low: '#8e0000',
    low: '#c62828',
    in_range: '#2e7d32',
    high: '#a35c00',
    very_high: '#7a3e00',
  },
  dark: {
    very_low: '#ff8a80',
    low: '#ef9a9a',
    in_range: '#81c784',
    high: '#ffb74d',
    very_high: '#ffcc80',
  },
};

export function colorOf(mgdl: number, mode: 'light' | 'dark', target?: TargetRange): string {
  return BAND_COLORS[mode][bandOf(mgdl, target)];
}
