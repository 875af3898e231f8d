/**
 * Readings laid out column by column, the shape a multi-row `unnest` insert (bulk.ts) takes,
 * built in bounded chunks so no more than one chunk of rows is ever held in memory.
 */
import type { SeedReading } from './readings.js';

/** One chunk of readings, column by column (what unnest takes). */
export interface ReadingColumns {
  patientId: number[];
  valueMgDl: number[];
  /** Epoch milliseconds (whole seconds for generated readings). */
  measuredAtMs: number[];
  context: string[];
  source: string[];
  deviceId: (string | null)[];
  sequenceNumber: (number | null)[];
}

export const DEFAULT_CHUNK_ROWS = 5000;

/** Accumulates readings into column arrays; `take()` hands over the chunk and starts a new one. */
export class ColumnBuffer {
  private cols = ColumnBuffer.empty();

  static empty(): ReadingColumns {
    return {
      patientId: [],
      valueMgDl: [],
      measuredAtMs: [],
      context: [],
      source: [],
      deviceId: [],
      sequenceNumber: [],
    };
  }

  get length(): number {
    return this.cols.patientId.length;
  }

  push(patientId: number, r: SeedReading): void {
    const c = this.cols;
    c.patientId.push(patientId);
    c.valueMgDl.push(r.valueMgDl);
    c.measuredAtMs.push(r.measuredAt.getTime());
    c.context.push(r.context);
    c.source.push(r.source);
    c.deviceId.push(r.deviceId);
    c.sequenceNumber.push(r.sequenceNumber);
  }

  take(): ReadingColumns {
    const out = this.cols;
    this.cols = ColumnBuffer.empty();
    return out;
  }
}

/** Chunks of at most `size` rows from per-patient reading streams, generated lazily. */
export function* readingChunks(
  streams: Iterable<{ patientId: number; readings: Iterable<SeedReading> }>,
  size = DEFAULT_CHUNK_ROWS,
): Generator<ReadingColumns> {
  const buffer = new ColumnBuffer();
  for (const { patientId, readings } of streams) {
    for (const r of readings) {
      buffer.push(patientId, r);
      if (buffer.length >= size) yield buffer.take();
    }
  }
  if (buffer.length > 0) yield buffer.take();
}
