/**
 * Staff and patients of the demo clinic. Pure: the same seed gives the same people, and patient i
 * depends only on the seed and patients 0..i-1, so `--patients 100` starts with the same 20
 * patients as `--patients 20` (a re-run with more patients only adds the new ones).
 */
import { type DiabetesType, type GlucoseProfile, glucoseProfile } from './glucose.js';
import { FEMALE_NAMES, MALE_NAMES, SURNAMES, slug } from './names.js';
import { deriveSeed, Rng } from './random.js';

export type StaffRole = 'clinician' | 'assistant' | 'admin';

export interface SeedStaff {
  username: string;
  email: string;
  name: string;
  roles: StaffRole[];
}

export interface SeedPatient {
  /** Position in the generated list (stable for a seed). */
  index: number;
  dni: string;
  email: string;
  name: string;
  surname: string;
  hospitalAccount: string;
  birthDate: string;
  diabetesType: DiabetesType;
  glucoseUnit: 'mg/dL' | 'mmol/L';
  targetLowMgDl: number;
  targetHighMgDl: number;
  timezone: string;
  /** How this patient's readings are generated (not a column). */
  glucose: GlucoseProfile;
}

const STAFF_STREAM = 0x53544146; // "STAF"
const PATIENT_STREAM = 0x50415449; // "PATI"
const READING_STREAM = 0x52454144; // "READ"

function person(rng: Rng): { name: string; surname: string; female: boolean } {
  const female = rng.chance(0.5);
  const names = female ? FEMALE_NAMES : MALE_NAMES;
  const first = rng.pick(names);
  // Compound given names ("María Laura", "Juan Pablo") are common in Argentina.
  const second = rng.chance(0.2) ? rng.pick(names) : null;
  const name = second && second !== first ? `${first} ${second}` : first;
  return { name, surname: rng.pick(SURNAMES), female };
}

/**
 * Four clinicians (`dr.garcia`, `dra.fernandez`), three assistants and one admin, with distinct
 * surnames so usernames never clash within a seed; e-mails are `<username>@clinic.example`.
 */
export function generateStaff(seed: number): SeedStaff[] {
  const rng = new Rng(deriveSeed(seed, STAFF_STREAM));
  const used = new Set<string>();
  const out: SeedStaff[] = [];
  const add = (roles: StaffRole[]) => {
    let p = person(rng);
    while (used.has(p.surname)) p = person(rng);
    used.add(p.surname);
    const username = roles[0] === 'clinician' ? slug(p.female ? 'dra' : 'dr', p.surname) : slug(p.name, p.surname);
    out.push({ username, email: `${username}@clinic.example`, name: `${p.name} ${p.surname}`, roles });
  };
  for (let i = 0; i < 4; i++) add(['clinician']);
  for (let i = 0; i < 3; i++) add(['assistant']);
  add(['admin']);
  return out;
}

export interface PatientOptions {
  timezone: string;
}

/**
 * Birth dates are drawn against a fixed date, not "now": DNIs follow the birth year, and a re-run
 * on another day must recognise the patients it created before (see seedDemoClinic).
 */
const AGE_REFERENCE_MS = Date.UTC(2025, 0, 1);

const TYPES: readonly DiabetesType[] = ['type1', 'type2', 'gestational', 'lada', 'mody', 'other'];
const TYPE_WEIGHTS = [30, 55, 3, 5, 3, 4];

/** Age range (years) typical of each type in an adult diabetes clinic. */
const AGES: Record<DiabetesType, [number, number]> = {
  type1: [14, 70],
  type2: [35, 88],
  gestational: [20, 42],
  lada: [30, 65],
  mody: [15, 45],
  other: [18, 80],
};

/**
 * A bijection of 0..99,999,999 (multiplier coprime with 10^8): derived identifiers stay unique
 * exactly when DNIs are, without looking like the DNI.
 */
function scramble(n: number, multiplier: number, add: number): number {
  return Number((BigInt(n) * BigInt(multiplier) + BigInt(add)) % 100_000_000n);
}

/**
 * Argentine DNIs are issued in sequence, so the number tracks the birth year (≈ 10M for people
 * born in 1955, ≈ 45M for 2003; older people have 7-digit numbers, written with a leading zero
 * as in a CUIT). Draws outside 1M–60M are redrawn, so the loop ends after a few tries.
 */
function dniFor(rng: Rng, birthYear: number): number {
  const center = Math.max(2_000_000, 10_000_000 + (birthYear - 1955) * 730_000);
  for (;;) {
    const dni = Math.round(rng.normal(center, 1_000_000));
    if (dni >= 1_000_000 && dni < 60_000_000) return dni;
  }
}

export function generatePatients(seed: number, count: number, options: PatientOptions): SeedPatient[] {
  const rng = new Rng(deriveSeed(seed, PATIENT_STREAM));
  const dnis = new Set<number>();
  const out: SeedPatient[] = [];
  for (let index = 0; index < count; index++) {
    const type = TYPES[rng.weighted(TYPE_WEIGHTS)] as DiabetesType;
    let p = person(rng);
    while (type === 'gestational' && !p.female) p = person(rng);
    const [minAge, maxAge] = AGES[type];
    const birth = new Date(AGE_REFERENCE_MS - rng.range(minAge, maxAge + 1) * 365.25 * 86_400_000);
    const birthDate = birth.toISOString().slice(0, 10);
    let dni = dniFor(rng, birth.getUTCFullYear());
    while (dnis.has(dni)) dni = dniFor(rng, birth.getUTCFullYear());
    dnis.add(dni);
    const local = slug(p.name, p.surname);
    const tag = scramble(dni, 48_271, 7_654_321).toString(36).padStart(6, '0');
    out.push({
      index,
      dni: String(dni).padStart(8, '0'),
      email: `${local}.${tag}@patients.example`,
      name: p.name,
      surname: p.surname,
      hospitalAccount: `HC-${String(scramble(dni, 69_621, 1_234_567)).padStart(8, '0')}`,
      birthDate,
      diabetesType: type,
      glucoseUnit: rng.chance(0.05) ? 'mmol/L' : 'mg/dL',
      // Pregnancy has a tighter personal target (clinical.md); everyone else the consensus range.
      targetLowMgDl: type === 'gestational' ? 63 : 70,
      targetHighMgDl: type === 'gestational' ? 140 : 180,
      timezone: options.timezone,
      glucose: glucoseProfile(rng, type, deriveSeed(seed, READING_STREAM, index)),
    });
  }
  return out;
}
