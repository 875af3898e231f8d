/**
 * Comparison with the previous window: the arrow (which way the number moved) and the verdict
 * (whether that is clinically better). They differ on purpose: time below range going down is a
 * down arrow and "better". The mean has no verdict — lower is not always better (hypoglycaemia).
 */
export type Direction = 'up' | 'down' | 'same';
export type Verdict = 'better' | 'worse' | 'same' | null;
export type Goal = 'higher' | 'lower' | 'none';

export interface Delta {
  /** current − previous, in the metric's own scale; null when either side is missing. */
  diff: number | null;
  direction: Direction | null;
  verdict: Verdict;
}

/**
 * `epsilon`: the smallest change worth an arrow, so display rounding (one decimal of a percentage)
 * never shows an arrow next to two equal numbers.
 */
export function deltaOf(
  current: number | null | undefined,
  previous: number | null | undefined,
  goal: Goal,
  epsilon = 0.05,
): Delta {
  if (current === null || current === undefined || previous === null || previous === undefined) {
    return { diff: null, direction: null, verdict: null };
  }
  const diff = current - previous;
  if (Math.abs(diff) < epsilon) return { diff: 0, direction: 'same', verdict: goal === 'none' ? null : 'same' };
  const direction: Direction = diff > 0 ? 'up' : 'down';
  if (goal === 'none') return { diff, direction, verdict: null };
  const better = goal === 'higher' ? diff > 0 : diff < 0;
  return { diff, direction, verdict: better ? 'better' : 'worse' };
}

/** "+2.5" / "−1.0" / "0.0": a signed number with a true minus sign, in the user's locale. */
export function formatSigned(value: number, locale: string, digits = 1): string {
  const text = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    Math.abs(value),
  );
  if (Number(text.replace(',', '.')) === 0) return text;
  return `${value > 0 ? '+' : '−'}${text}`;
}
