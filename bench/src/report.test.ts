import { describe, expect, it } from 'vitest';
import { parseOptions, parseSize, sizeLabel } from './options.js';
import { fmt, type Row, renderReport, scenarioTable, status } from './report.js';

const row = (over: Partial<Row>): Row => ({
  scenario: 's',
  size: '—',
  metric: 'm',
  unit: 'ms',
  value: 10,
  ceiling: 5,
  ...over,
});

describe('report', () => {
  it('puts value ÷ ceiling in the ratio column and judges the budget', () => {
    const table = scenarioTable([row({ budget: { op: '<', limit: 30, text: 'p50 < 30 ms' } })]);
    expect(table).toContain('| s | — | m | 10.0 ms | 5.00 ms | 2.00× | p50 < 30 ms | pass |');
    expect(status(row({ value: 40, budget: { op: '<', limit: 30, text: '' } }))).toBe('**FAIL**');
    expect(status(row({ unit: 'readings/s', value: 60_000, budget: { op: '>', limit: 50_000, text: '' } }))).toBe(
      'pass',
    );
  });

  it('lists a capability that is not built yet with its ceiling and no ratio', () => {
    const table = scenarioTable([row({ value: null, ceiling: 12.5 })]);
    expect(table).toContain('| not built yet | 12.5 ms | — |');
  });

  it('quotes every missed budget with its reason', () => {
    const text = renderReport({
      title: 't',
      machine: [],
      data: [],
      ceilings: [],
      warnings: [],
      rows: [row({ value: 0.3, unit: 'ms/req', budget: { op: '<', limit: 0.1, text: '< 0.1 ms' }, note: 'because.' })],
    });
    expect(text).toMatch(/## Budget misses\n\n- \*\*s\*\* \(—\): 0\.300 ms\/req, budget < 0\.1 ms\. because\./);
  });

  it('formats throughput as whole numbers and latencies to three significant digits', () => {
    expect(fmt(12_345.6, 'req/s')).toBe('12,346');
    expect(fmt(0.04567, 'ms')).toBe('0.046');
    expect(fmt(123.4, 'ms')).toBe('123');
  });
});

describe('options', () => {
  it('reads sizes as the issue writes them', () => {
    expect(['100k', '1M', '10M', '2500'].map(parseSize)).toEqual([100_000, 1_000_000, 10_000_000, 2500]);
    expect(sizeLabel(10_000_000)).toBe('10M');
    expect(sizeLabel(100_000)).toBe('100k');
  });

  it('starts from the profile and applies overrides', () => {
    const quick = parseOptions([], {});
    expect(quick.sizes).toEqual([100_000, 1_000_000]);
    expect(quick.durationMs).toBe(10_000);
    expect(quick.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    const full = parseOptions(['--profile', 'full', '--sizes', '1M,100k', '--duration', '5'], {
      BENCH_DATABASE_URL: 'postgres://u@127.0.0.1:5433/x',
    });
    expect(full.sizes).toEqual([100_000, 1_000_000]);
    expect(full.durationMs).toBe(5000);
    expect(full.databaseUrl).toBe('postgres://u@127.0.0.1:5433/x');
    expect(() => parseOptions(['--scenarios', 'nope'], {})).toThrow(/unknown scenario/);
  });
});
