import { describe, expect, it } from 'vitest';
import { closedLoop, openLoop, Samples } from './samples.js';

describe('Samples', () => {
  it('gives exact percentiles of every recorded latency', () => {
    const s = new Samples();
    for (let i = 1; i <= 10_000; i++) s.add(i / 100); // grows past the initial buffer
    const sum = s.summary(2);
    expect(sum.count).toBe(10_000);
    expect(sum.perSecond).toBe(5000);
    expect(sum.p50Ms).toBeCloseTo(50.01, 5);
    expect(sum.p99Ms).toBeCloseTo(99.01, 5);
    expect(sum.maxMs).toBe(100);
  });

  it('reports NaN percentiles, not zeros, when nothing completed', () => {
    const sum = new Samples().summary(1);
    expect(sum.count).toBe(0);
    expect(Number.isNaN(sum.p50Ms)).toBe(true);
  });
});

describe('load shapes', () => {
  it('closed loop stops at the operation limit and counts failures apart', async () => {
    const sum = await closedLoop(
      async (i) => {
        if (i % 10 === 9) throw new Error('boom');
      },
      { concurrency: 3, warmupMs: 0, durationMs: 5_000, limit: 100 },
    );
    expect(sum.count + sum.errors).toBe(100);
    expect(sum.errors).toBe(10);
  });

  it('open loop starts operations at the given rate', async () => {
    let started = 0;
    const sum = await openLoop(
      async () => {
        started++;
      },
      { rate: 200, durationMs: 250, maxInFlight: 10 },
    );
    expect(started).toBeGreaterThanOrEqual(45);
    expect(started).toBeLessThanOrEqual(51);
    expect(sum.errors).toBe(0);
  });
});
