/**
 * What a syncing device sends, batch after batch: new readings, then some of the previous batch
 * again (a device re-sending what it is not sure arrived), which the dedup keys must skip. Built
 * one batch at a time, so memory stays flat however fast the target is.
 */
import type { SeedReading } from '@diabetify/api/dist/db/seed/generate.js';

export class BatchSource {
  private readonly stream: Iterator<SeedReading>;
  private previous: SeedReading[] = [];
  done = false;

  constructor(
    readings: Iterable<SeedReading>,
    private readonly fresh: number,
    private readonly repeated: number,
  ) {
    this.stream = readings[Symbol.iterator]();
  }

  /** The next batch: `fresh` new readings, then `repeated` of the previous batch's. */
  next(): SeedReading[] {
    const batch: SeedReading[] = [];
    while (batch.length < this.fresh) {
      const r = this.stream.next();
      if (r.done) {
        this.done = true;
        break;
      }
      batch.push(r.value);
    }
    // The first batch has no predecessor: it repeats its own rows (skipped just the same).
    const repeats = (this.previous.length > 0 ? this.previous : batch).slice(0, this.repeated);
    this.previous = batch;
    return [...batch, ...repeats];
  }
}
