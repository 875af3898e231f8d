/**
 * Lazy reading generators: a CGM stream (every 5 minutes, sensor sessions with warm-up gaps and
 * signal losses) or 4–8 meter checks a day. They yield one reading at a time, so the seeder and
 * the benchmark can produce 10M readings with constant memory.
 */

import { DAY_MS, fromLocalMs, MINUTE_MS, toLocalMs } from '../../lib/local-time.js';
import { type DayPlan, deviceValue, type GlucoseProfile, glucoseAt, planDay, type ReadingContext } from './glucose.js';
import type { SeedPatient } from './people.js';
import { deriveSeed, Rng } from './random.js';

export interface SeedReading {
  measuredAt: Date;
  /** mg/dL, one decimal, 40–400. */
  valueMgDl: number;
  context: ReadingContext;
  source: 'cgm' | 'meter';
  deviceId: string;
  /** The device's uint16 record counter: wraps from 65535 to 0. */
  sequenceNumber: number;
}

export interface ReadingWindow {
  /** End of the window (inclusive); readings cover (now − days, now]. */
  now: Date;
  days: number;
}

export const CGM_INTERVAL_MS = 5 * MINUTE_MS;
const SENSOR_STREAM = 0x53454e53; // "SENS"
const NOISE_STREAM = 0x4e4f4953; // "NOIS"
const METER_STREAM = 0x4d455452; // "METR"

/** Next value of a uint16 record counter, as meters and CGM transmitters keep it. */
export function nextSequence(n: number): number {
  return (n + 1) & 0xffff;
}

const SERIAL_CHARS = [...'0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'];
function serial(rng: Rng, prefix: string, length: number): string {
  let s = prefix;
  for (let i = 0; i < length; i++) s += rng.pick(SERIAL_CHARS);
  return s;
}

/** Day plans of the current and previous local day, computed once per day. */
class PlanCache {
  private current: DayPlan | null = null;
  private previous: DayPlan | null = null;
  constructor(private readonly profile: GlucoseProfile) {}
  get(day: number): [DayPlan, DayPlan] {
    if (this.current?.day !== day) {
      this.previous = this.current?.day === day - 1 ? this.current : planDay(this.profile, day - 1);
      this.current = planDay(this.profile, day);
    }
    return [this.current, this.previous as DayPlan];
  }
}

/** All readings of one patient in the window, in time order, generated lazily. */
export function generateReadings(patient: SeedPatient, window: ReadingWindow): Generator<SeedReading> {
  return patient.glucose.cgm ? cgmReadings(patient, window) : meterReadings(patient, window);
}

function* cgmReadings(patient: SeedPatient, window: ReadingWindow): Generator<SeedReading> {
  const profile = patient.glucose;
  const tz = patient.timezone;
  const endMs = window.now.getTime();
  const startMs = endMs - window.days * DAY_MS;
  const sensor = new Rng(deriveSeed(profile.seed, SENSOR_STREAM));
  const noise = new Rng(deriveSeed(profile.seed, NOISE_STREAM));
  const plans = new PlanCache(profile);
  // Slow wander as an AR(1) process sampled every 5 minutes with the patient's correlation time.
  const phi = Math.exp(-5 / profile.driftMinutes);
  const kick = profile.driftSd * Math.sqrt(1 - phi * phi);
  const meanGapMs = (7 * DAY_MS) / profile.gapsPerWeek;
  // People change sensors a few hours early rather than late; whole seconds, like device clocks.
  const sessionLength = () => profile.sensorDays * DAY_MS - sensor.int(0, 6 * 3600) * 1000;

  // The sensor worn at the start of the window was inserted some time before it.
  let sessionStart = startMs - sensor.int(0, profile.sensorDays * 86_400) * 1000;
  while (sessionStart <= endMs) {
    const sessionEnd = sessionStart + sessionLength();
    const deviceId = serial(sensor, 'CGM-', 10);
    let seq = sensor.int(0, 0xffff);
    let drift = noise.normal(0, profile.driftSd);
    const first = sessionStart + profile.warmupMinutes * MINUTE_MS;
    let gapStart = first + sensor.exponential(meanGapMs);
    let gapEnd = gapStart + sensor.int(60, 240) * MINUTE_MS;
    for (let t = first; t < sessionEnd && t <= endMs; t += CGM_INTERVAL_MS, seq = nextSequence(seq)) {
      drift = phi * drift + kick * noise.normal();
      const sensorError = noise.normal(0, profile.noiseSd);
      if (t >= gapEnd) {
        gapStart = gapEnd + sensor.exponential(meanGapMs);
        gapEnd = gapStart + sensor.int(60, 240) * MINUTE_MS;
      }
      // Signal loss: the transmitter keeps counting, the readings are never received.
      if (t >= gapStart || t <= startMs) continue;
      const local = toLocalMs(tz, t);
      const day = Math.floor(local / DAY_MS);
      const [plan, previous] = plans.get(day);
      const minute = (local - day * DAY_MS) / MINUTE_MS;
      yield {
        measuredAt: new Date(t),
        valueMgDl: deviceValue(glucoseAt(profile, plan, previous, minute, drift) + sensorError),
        context: 'other',
        source: 'cgm',
        deviceId,
        sequenceNumber: seq,
      };
    }
    // Time to notice the expired sensor and insert a new one; its warm-up follows.
    sessionStart = sessionEnd + sensor.int(0, 90) * MINUTE_MS;
  }
}

function* meterReadings(patient: SeedPatient, window: ReadingWindow): Generator<SeedReading> {
  const profile = patient.glucose;
  const tz = patient.timezone;
  const endMs = window.now.getTime();
  const startMs = endMs - window.days * DAY_MS;
  const rng = new Rng(deriveSeed(profile.seed, METER_STREAM));
  const plans = new PlanCache(profile);
  const deviceId = serial(rng, 'MTR-', 8);
  let seq = rng.int(0, 0xffff);
  const firstDay = Math.floor(toLocalMs(tz, startMs) / DAY_MS);
  const lastDay = Math.floor(toLocalMs(tz, endMs) / DAY_MS);
  for (let day = firstDay; day <= lastDay; day++) {
    const [plan, previous] = plans.get(day);
    for (const check of plan.checks) {
      const second = rng.int(0, 59);
      // Meters have no slow-drift memory at this spacing: an independent draw per check.
      const drift = rng.normal(0, profile.driftSd);
      const error = rng.normal(0, 0.04); // ISO 15197 meters: within ±15 % for 95 % of checks
      const t = fromLocalMs(tz, day * DAY_MS + check.minute * MINUTE_MS) + second * 1000;
      if (t <= startMs || t > endMs) continue;
      const v = glucoseAt(profile, plan, previous, check.minute, drift);
      yield {
        measuredAt: new Date(t),
        valueMgDl: deviceValue(v * (1 + error)),
        context: check.context,
        source: 'meter',
        deviceId,
        sequenceNumber: seq,
      };
      seq = nextSequence(seq);
    }
  }
}
