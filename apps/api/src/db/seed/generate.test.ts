/**
 * The pure demo-data generators: determinism, people that satisfy the table constraints, CGM
 * streams every 5 minutes with sensor and signal gaps, 4–8 meter checks a day, uint16 counters.
 */

import { describe, expect, it } from 'vitest';
import { groupBy } from '../../lib/group-by.js';
import {
  CGM_INTERVAL_MS,
  DAY_MS,
  deriveSeed,
  generatePatients,
  generateReadings,
  generateStaff,
  nextSequence,
  Rng,
  readingChunks,
  type SeedPatient,
  type SeedReading,
  toLocalMs,
} from './generate.js';

const TZ = 'America/Argentina/Buenos_Aires';
const NOW = new Date('2025-06-15T12:34:56.000Z');
const CONTEXTS = ['fasting', 'breakfast', 'lunch', 'snack', 'dinner', 'exercise', 'other_meal', 'bedtime', 'other'];
const DIABETES_TYPES = ['type1', 'type2', 'gestational', 'lada', 'mody', 'other'];

function take<T>(it: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of it) {
    if (out.length >= n) break;
    out.push(x);
  }
  return out;
}

const clinic = generatePatients(7, 30, { timezone: TZ });
const readingsOf = new Map<SeedPatient, SeedReading[]>(
  clinic.map((p) => [p, [...generateReadings(p, { now: NOW, days: 30 })]]),
);
const cgmPatients = clinic.filter((p) => p.glucose.cgm);
const meterPatients = clinic.filter((p) => !p.glucose.cgm);
const all = [...readingsOf.values()].flat();

describe('Rng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('draws within bounds, with a roughly standard normal', () => {
    const rng = new Rng(9);
    const ints = Array.from({ length: 5000 }, () => rng.int(4, 8));
    expect(Math.min(...ints)).toBe(4);
    expect(Math.max(...ints)).toBe(8);
    const zs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
    const sd = Math.sqrt(zs.reduce((s, z) => s + (z - mean) ** 2, 0) / zs.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
  });

  it('derives distinct seeds from distinct parts, high bits included', () => {
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(2, 1));
    expect(deriveSeed(1)).not.toBe(deriveSeed(1 + 2 ** 32));
  });
});

describe('generateStaff', () => {
  const team = generateStaff(42);

  it('has clinicians, assistants and exactly one admin, with valid roles', () => {
    const count = (role: string) => team.filter((s) => s.roles.includes(role as never)).length;
    expect(count('clinician')).toBeGreaterThanOrEqual(2);
    expect(count('assistant')).toBeGreaterThanOrEqual(2);
    expect(count('admin')).toBe(1);
    for (const s of team) {
      expect(s.roles.length).toBeGreaterThan(0);
      for (const r of s.roles) expect(['clinician', 'assistant', 'admin']).toContain(r);
    }
  });

  it('uses unique ASCII usernames and clinic e-mails, dr./dra. for clinicians', () => {
    expect(new Set(team.map((s) => s.username)).size).toBe(team.length);
    for (const s of team) {
      expect(s.username).toMatch(/^[a-z]+(\.[a-z]+)+$/);
      expect(s.email).toBe(`${s.username}@clinic.example`);
      if (s.roles.includes('clinician')) expect(s.username).toMatch(/^dra?\./);
    }
    expect(generateStaff(42)).toEqual(team);
  });
});

describe('generatePatients', () => {
  const many = generatePatients(42, 1000, { timezone: TZ });

  it('gives unique 8-digit DNIs, e-mails and hospital accounts', () => {
    for (const key of ['dni', 'email', 'hospitalAccount'] as const) {
      expect(new Set(many.map((p) => p[key])).size).toBe(many.length);
    }
    for (const p of many) {
      expect(p.dni).toMatch(/^\d{8}$/);
      expect(p.email).toMatch(/^[a-z.]+\.[0-9a-z]{6}@patients\.example$/);
      expect(p.hospitalAccount).toMatch(/^HC-\d{8}$/);
    }
  });

  it('respects the patients table constraints', () => {
    for (const p of many) {
      expect(DIABETES_TYPES).toContain(p.diabetesType);
      expect(['mg/dL', 'mmol/L']).toContain(p.glucoseUnit);
      expect(p.targetLowMgDl).toBeGreaterThanOrEqual(40);
      expect(p.targetHighMgDl).toBeLessThanOrEqual(400);
      expect(p.targetLowMgDl).toBeLessThan(p.targetHighMgDl);
      expect(p.timezone).toBe(TZ);
      expect(new Date(`${p.birthDate}T00:00:00Z`).toISOString().slice(0, 10)).toBe(p.birthDate);
      expect(p.name.length).toBeGreaterThan(0);
    }
  });

  it('makes about 60 % CGM users', () => {
    const share = many.filter((p) => p.glucose.cgm).length / many.length;
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(0.7);
  });

  it('is deterministic and prefix-stable: more patients only adds new ones', () => {
    expect(generatePatients(42, 20, { timezone: TZ })).toEqual(many.slice(0, 20));
    expect(generatePatients(43, 20, { timezone: TZ }).map((p) => p.dni)).not.toEqual(
      many.slice(0, 20).map((p) => p.dni),
    );
  });
});

describe('generateReadings', () => {
  it('is lazy: the first readings of a ten-year window come without generating the rest', () => {
    const it10y = generateReadings(clinic[0] as SeedPatient, { now: NOW, days: 3650 });
    expect(typeof it10y.next).toBe('function');
    expect(take(it10y, 5)).toHaveLength(5);
  });

  it('gives the same readings for the same seed and different ones for another seed', () => {
    const first = (seed: number) =>
      generatePatients(seed, 5, { timezone: TZ }).flatMap((p) => take(generateReadings(p, { now: NOW, days: 3 }), 100));
    const a = first(11);
    expect(a.length).toBeGreaterThan(100);
    expect(first(11)).toEqual(a);
    expect(first(12).map((r) => r.valueMgDl)).not.toEqual(a.map((r) => r.valueMgDl));
  });

  it('stays within the window, in time order, and within the readings table constraints', () => {
    // Collect offenders rather than asserting per reading: 150k expect calls take seconds.
    const start = NOW.getTime() - 30 * DAY_MS;
    const outOfOrder = [...readingsOf.values()].flatMap((rs) =>
      rs.filter((r, i) => i > 0 && r.measuredAt.getTime() <= (rs[i - 1] as SeedReading).measuredAt.getTime()),
    );
    expect(outOfOrder).toEqual([]);
    const invalid = all.filter(
      (r) =>
        r.measuredAt.getTime() <= start ||
        r.measuredAt.getTime() > NOW.getTime() ||
        !(r.valueMgDl >= 40 && r.valueMgDl <= 400) ||
        Math.round(r.valueMgDl * 10) / 10 !== r.valueMgDl ||
        !CONTEXTS.includes(r.context) ||
        !(Number.isInteger(r.sequenceNumber) && r.sequenceNumber >= 0 && r.sequenceNumber <= 0xffff) ||
        r.deviceId.length < 5,
    );
    expect(invalid).toEqual([]);
  });

  it('has a daily rhythm with occasional hypos below 70 and highs above 250', () => {
    const cgm = all.filter((r) => r.source === 'cgm');
    const hourMean = (hour: number) => {
      const vs = cgm.filter((r) => new Date(toLocalMs(TZ, r.measuredAt.getTime())).getUTCHours() === hour);
      return vs.reduce((s, r) => s + r.valueMgDl, 0) / vs.length;
    };
    expect(hourMean(22)).toBeGreaterThan(hourMean(3) + 20); // after a late Argentine dinner vs. overnight
    expect(hourMean(7)).toBeGreaterThan(hourMean(3)); // dawn phenomenon
    const low = cgm.filter((r) => r.valueMgDl < 70).length / cgm.length;
    const high = cgm.filter((r) => r.valueMgDl > 250).length / cgm.length;
    expect(low).toBeGreaterThan(0.001);
    expect(low).toBeLessThan(0.05);
    expect(high).toBeGreaterThan(0.005);
    expect(high).toBeLessThan(0.1);
  });

  it('CGM: every 5 minutes within a sensor, except signal losses; a warm-up gap between sensors', () => {
    expect(cgmPatients.length).toBeGreaterThan(10);
    let within = 0;
    let fiveMinutes = 0;
    let signalLosses = 0;
    const badGaps: SeedReading[] = [];
    const badSteps: SeedReading[] = [];
    for (const p of cgmPatients) {
      const rs = readingsOf.get(p) as SeedReading[];
      expect(rs.every((r) => r.source === 'cgm' && r.context === 'other')).toBe(true);
      // A sensor lasts at most 14 days, so 30 days need at least three.
      expect(new Set(rs.map((r) => r.deviceId)).size).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < rs.length; i++) {
        const [a, b] = [rs[i - 1] as SeedReading, rs[i] as SeedReading];
        const dt = b.measuredAt.getTime() - a.measuredAt.getTime();
        if (a.deviceId !== b.deviceId) {
          if (dt < 60 * 60_000) badGaps.push(b); // the new sensor's warm-up
          continue;
        }
        within++;
        const slots = dt / CGM_INTERVAL_MS;
        // The transmitter counts every slot, received or not: the counter tells the gap length.
        if (!Number.isInteger(slots) || b.sequenceNumber !== ((a.sequenceNumber + slots) & 0xffff)) badSteps.push(b);
        if (slots === 1) fiveMinutes++;
        else if (slots >= 12) signalLosses++;
      }
      const spans = groupBy(rs, (r) => r.deviceId);
      for (const session of spans.values()) {
        const first = session[0] as SeedReading;
        const last = session[session.length - 1] as SeedReading;
        expect(last.measuredAt.getTime() - first.measuredAt.getTime()).toBeLessThanOrEqual(14 * DAY_MS);
      }
    }
    expect(badGaps).toEqual([]);
    expect(badSteps).toEqual([]);
    expect(fiveMinutes / within).toBeGreaterThan(0.99);
    expect(signalLosses).toBeGreaterThan(cgmPatients.length); // a few hours now and then
  });

  it('meter: 4–8 checks on every full local day, fasting first, with meal contexts', () => {
    expect(meterPatients.length).toBeGreaterThan(5);
    const contexts = new Set<string>();
    for (const p of meterPatients) {
      const rs = readingsOf.get(p) as SeedReading[];
      const byDay = groupBy(rs, (r) => Math.floor(toLocalMs(TZ, r.measuredAt.getTime()) / DAY_MS));
      const days = [...byDay.keys()].sort((a, b) => a - b);
      // The first and last local days are cut by the window.
      for (const day of days.slice(1, -1)) {
        const checks = byDay.get(day) as SeedReading[];
        expect(checks.length).toBeGreaterThanOrEqual(4);
        expect(checks.length).toBeLessThanOrEqual(8);
        expect(checks[0]?.context).toBe('fasting');
        expect(new Set(checks.map((c) => c.context)).size).toBe(checks.length);
      }
      for (let i = 1; i < rs.length; i++) {
        expect(rs[i]?.sequenceNumber).toBe(nextSequence((rs[i - 1] as SeedReading).sequenceNumber));
      }
      for (const r of rs) {
        expect(r.source).toBe('meter');
        contexts.add(r.context);
      }
    }
    for (const c of ['fasting', 'breakfast', 'lunch', 'dinner', 'bedtime', 'snack']) expect(contexts).toContain(c);
  });

  it('sequence numbers wrap from 65535 to 0 like a uint16 counter', () => {
    expect(nextSequence(41)).toBe(42);
    expect(nextSequence(65535)).toBe(0);
    // Each sensor starts its counter anywhere, so some of 40 patients × 60 days cross 65535.
    const wraps = generatePatients(3, 40, { timezone: TZ }).filter((p) => {
      let prev = -1;
      for (const r of generateReadings(p, { now: NOW, days: 60 })) {
        if (prev === 65535 && r.sequenceNumber === 0) return true;
        prev = r.sequenceNumber;
      }
      return false;
    });
    expect(wraps.length).toBeGreaterThan(0);
  });
});

describe('readingChunks', () => {
  it('cuts the streams into aligned column chunks of at most `size` rows, losing none', () => {
    const streams = clinic.slice(0, 4).map((p, i) => ({ patientId: 100 + i, readings: readingsOf.get(p) ?? [] }));
    const expected = streams.reduce((n, s) => n + s.readings.length, 0);
    let rows = 0;
    for (const c of readingChunks(streams, 1000)) {
      expect(c.patientId.length).toBeLessThanOrEqual(1000);
      for (const col of Object.values(c)) expect(col).toHaveLength(c.patientId.length);
      rows += c.patientId.length;
    }
    expect(rows).toBe(expected);
  });
});
