/**
 * What a syncing device sends, for both sides of the sync scenario (the bare insert ceiling and
 * `POST /v1/readings/batch`): batches of CGM readings from the seed's own generator, each batch
 * repeating the first 10 % of the previous one (a device re-sending what it is not sure arrived),
 * which the dedup keys must skip. Histories lie before the loaded window so nothing collides by
 * accident (batch-source.ts builds the batches).
 */
import {
  DAY_MS,
  deriveSeed,
  generatePatients,
  generateReadings,
  type SeedPatient,
} from '@diabetify/api/dist/db/seed/generate.js';
import { BatchSource } from './batch-source.js';

/** Twenty years of CGM history per synthetic patient: more than any phase can insert. */
const HISTORY_DAYS = 20 * 365;

/** `count` synthetic CGM wearers of a seed stream (names for the rows; traces for the batches). */
export function syncPeople(seed: number, stream: number, timezone: string, count: number): SeedPatient[] {
  const people = generatePatients(deriveSeed(seed, stream), 64, { timezone })
    .filter((p) => p.glucose.cgm)
    .slice(0, count);
  if (people.length < count) throw new Error(`only ${people.length} synthetic CGM patients for ${count} devices`);
  return people;
}

/** A device's batches: its history ends 400 days before the loaded window's end. */
export function batchSource(person: SeedPatient, windowEnd: string, batchRows: number, duplicateShare: number) {
  const fresh = Math.round(batchRows * (1 - duplicateShare));
  const before = new Date(Date.parse(windowEnd) - 400 * DAY_MS);
  return new BatchSource(generateReadings(person, { now: before, days: HISTORY_DAYS }), fresh, batchRows - fresh);
}
