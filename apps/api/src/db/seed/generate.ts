/**
 * The pure demo-data generators, for the seeder and the benchmark harness: no database, no clock,
 * no I/O. The same seed (and `now`) always gives the same clinic.
 */

export { DAY_MS, fromLocalMs, toLocalMs } from '../../lib/local-time.js';
export { ColumnBuffer, DEFAULT_CHUNK_ROWS, type ReadingColumns, readingChunks } from './columns.js';
export {
  type DayPlan,
  type DiabetesType,
  deviceValue,
  type GlucoseProfile,
  glucoseAt,
  planDay,
  type ReadingContext,
} from './glucose.js';
export { generatePatients, generateStaff, type SeedPatient, type SeedStaff, type StaffRole } from './people.js';
export { deriveSeed, Rng } from './random.js';
export {
  CGM_INTERVAL_MS,
  generateReadings,
  nextSequence,
  type ReadingWindow,
  type SeedReading,
} from './readings.js';
