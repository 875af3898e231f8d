/** Budgets and row helpers shared by the platform scenarios (readings, analytics, export, queue). */
import type { Budget, Row } from '../report.js';

/** architecture.md, "Performance budgets". */
export const BUDGETS = {
  page: { op: '<', limit: 15, text: 'p99 < 15 ms at 1,000 req/s, flat 100k→10M' },
  sync: { op: '>', limit: 50_000, text: '> 50,000 readings/s' },
  stats90: { op: '<', limit: 30, text: 'p50 < 30 ms' },
  export: { op: '<', limit: 100, text: '< 100 MB RSS growth' },
  queue: { op: '>', limit: 1000, text: '> 1,000 decisions/s' },
} satisfies Record<string, Budget>;

export const notBuilt = (
  scenario: string,
  size: string,
  metric: string,
  unit: Row['unit'],
  ceiling: number | null,
  budget?: Budget,
): Row => ({
  scenario,
  size,
  metric,
  unit,
  value: null,
  ceiling,
  ...(budget ? { budget } : {}),
});

/**
 * A scenario that exists but could not be measured (an error answer, a crash mid-phase): a row
 * without a value, so a budget reads FAIL and the note says why, and the run goes on.
 */
export const failed = (
  scenario: string,
  size: string,
  metric: string,
  unit: Row['unit'],
  err: unknown,
  budget?: Budget,
): Row => ({
  scenario,
  size,
  metric,
  unit,
  value: Number.NaN,
  ceiling: null,
  ...(budget ? { budget } : {}),
  note: `not measured: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400),
});

/**
 * DNIs for patients the harness creates: nine digits, where the seeder's are eight (below 60
 * million), so they never collide with seeded ones. The second digit says what for.
 */
const PREFIX = { sync: '97', queue: '98', export: '99' } as const;
const counters = { sync: 0, queue: 0, export: 0 };

export function nextBenchDni(kind: keyof typeof PREFIX): string {
  counters[kind] += 1;
  return `${PREFIX[kind]}${String(counters[kind]).padStart(7, '0')}`;
}

export function benchDni(kind: keyof typeof PREFIX, n: number): string {
  return `${PREFIX[kind]}${String(n).padStart(7, '0')}`;
}
