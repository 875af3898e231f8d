/**
 * Latency samples and the two load shapes the database ceilings use. Every latency is kept (a
 * Float64Array growing by doubling; a 30 s phase at 20k ops/s is 5 MB), so percentiles are exact
 * rather than bucketed: sub-millisecond differences are what the ceilings are about.
 */

export interface Summary {
  count: number;
  /** Completed operations per second of measured time. */
  perSecond: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  /** Wall time of the measured window (after warm-up). */
  seconds: number;
}

export class Samples {
  private data = new Float64Array(4096);
  private n = 0;
  errors = 0;

  add(ms: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  /** The recorded latencies, in arrival order (a view: copy before keeping it). */
  values(): Float64Array {
    return this.data.subarray(0, this.n);
  }

  summary(seconds: number): Summary {
    const sorted = this.data.slice(0, this.n).sort();
    const at = (q: number) => (this.n === 0 ? Number.NaN : (sorted[Math.min(this.n - 1, Math.floor(q * this.n))] ?? 0));
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: this.n,
      perSecond: seconds > 0 ? this.n / seconds : 0,
      meanMs: this.n > 0 ? sum / this.n : Number.NaN,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
      maxMs: this.n > 0 ? (sorted[this.n - 1] ?? 0) : Number.NaN,
      errors: this.errors,
      seconds,
    };
  }
}

export interface ClosedLoopOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Stop after this many operations (warm-up included) even before the time is up. */
  limit?: number;
}

/**
 * `concurrency` callers, each issuing the next operation as soon as the previous one finished,
 * for `durationMs` after a `warmupMs` warm-up whose results are discarded. The shape of a fixed
 * number of connections (what autocannon does over HTTP). `op` receives a running counter.
 */
export async function closedLoop(op: (i: number) => Promise<unknown>, o: ClosedLoopOptions): Promise<Summary> {
  const samples = new Samples();
  let counter = 0;
  const warmEnd = performance.now() + o.warmupMs;
  const end = warmEnd + o.durationMs;
  const caller = async () => {
    const limit = o.limit ?? Number.POSITIVE_INFINITY;
    for (let now = performance.now(); now < end && counter < limit; now = performance.now()) {
      const started = now;
      try {
        await op(counter++);
        if (started >= warmEnd) samples.add(performance.now() - started);
      } catch (err) {
        if (started >= warmEnd) samples.errors++;
        if (samples.errors === 1) console.error(`  first error: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, caller));
  return samples.summary((performance.now() - warmEnd) / 1000);
}

export interface OpenLoopOptions {
  /** Operations started per second, whatever the latency. */
  rate: number;
  durationMs: number;
  /** Above this many in flight, a due operation is counted as an error (the target fell behind). */
  maxInFlight: number;
}

/**
 * Fixed arrival rate (the shape of a budget such as "p99 < 15 ms at 1,000 req/s"). Latency is
 * measured from when an operation was *due*, not when the timer fired, so a stalled target shows
 * up in the percentiles instead of silently lowering the offered rate (coordinated omission).
 */
export async function openLoop(op: (i: number) => Promise<unknown>, o: OpenLoopOptions): Promise<Summary> {
  const samples = new Samples();
  const interval = 1000 / o.rate;
  const start = performance.now();
  const end = start + o.durationMs;
  const pending = new Set<Promise<void>>();
  let k = 0;
  while (performance.now() < end) {
    const now = performance.now();
    for (let due = start + k * interval; due <= now && due < end; due = start + ++k * interval) {
      if (pending.size >= o.maxInFlight) {
        samples.errors++;
        continue;
      }
      const dueAt = due;
      const p: Promise<void> = op(k).then(
        () => samples.add(performance.now() - dueAt),
        () => {
          samples.errors++;
        },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + k * interval - performance.now())));
  }
  await Promise.all(pending);
  return samples.summary((performance.now() - start) / 1000);
}
