import type { SeedReading } from '@diabetify/api/dist/db/seed/generate.js';
import { describe, expect, it } from 'vitest';
import { BatchSource } from './batch-source.js';
import { fmt, scenarioTable, status } from './report.js';
import { benchDni, failed, nextBenchDni } from './scenarios/platform-common.js';

const readings = (n: number): SeedReading[] =>
  Array.from({ length: n }, (_, i) => ({
    measuredAt: new Date(Date.UTC(2020, 0, 1) + i * 300_000),
    valueMgDl: 100 + i,
    context: 'other',
    source: 'cgm',
    deviceId: 'CGM-TEST',
    sequenceNumber: i,
  }));

describe('sync batches', () => {
  it('repeats the first readings of the previous batch after the new ones', () => {
    const source = new BatchSource(readings(25), 9, 1);
    const seq = (batch: SeedReading[]) => batch.map((r) => r.sequenceNumber);
    // The first batch has no predecessor: it repeats its own first reading.
    expect(seq(source.next())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    expect(seq(source.next())).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 0]);
    expect(source.done).toBe(false);
    expect(seq(source.next())).toEqual([18, 19, 20, 21, 22, 23, 24, 9]);
    expect(source.done).toBe(true);
  });
});

describe('harness-made patients', () => {
  it('get nine-digit DNIs that no seeded patient has (theirs are eight digits below 60 million)', () => {
    const dnis = [nextBenchDni('sync'), nextBenchDni('sync'), benchDni('queue', 1000), nextBenchDni('export')];
    for (const dni of dnis) {
      expect(dni).toMatch(/^9[789][0-9]{7}$/);
      expect(Number(dni)).toBeGreaterThanOrEqual(60_000_000);
    }
    expect(new Set(dnis).size).toBe(dnis.length);
  });
});

describe('platform rows', () => {
  it('fails the budget of a scenario that could not be measured, and says why', () => {
    const row = failed('s', '—', 'p50 latency', 'ms', new Error('HTTP 500'), {
      op: '<',
      limit: 30,
      text: 'p50 < 30 ms',
    });
    expect(status(row)).toBe('**FAIL**');
    expect(row.note).toBe('not measured: HTTP 500');
    expect(scenarioTable([row])).toContain('| s | — | p50 latency | — ms | — | — | p50 < 30 ms | **FAIL** |');
  });

  it('shows counts as whole numbers without a unit, and judges the capacity budget', () => {
    expect(fmt(50, 'count')).toBe('50');
    const capacity = { op: '<', limit: 51, text: '≤ 50' } as const;
    const row = { scenario: 'q', size: '—', metric: 'm', unit: 'count', value: 50, ceiling: null, budget: capacity };
    expect(scenarioTable([row as never])).toContain('| q | — | m | 50 | — | — | ≤ 50 | pass |');
    expect(status({ ...row, unit: 'count', value: 51 })).toBe('**FAIL**');
  });
});
