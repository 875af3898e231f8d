/**
 * A small physiological glucose model for demo data: it does not need to be clinically exact, only
 * plausible enough that time-in-range, AGP, episode and streak features show something a
 * clinician recognises — a daily rhythm (overnight dip, dawn phenomenon, meal peaks at Argentine
 * meal times), day-to-day variability, the occasional hypo below 70 and high above 250.
 *
 * Everything is a pure function of the patient's profile and the local day number, so a day looks
 * the same whatever window or chunking the caller uses.
 */
import { deriveSeed, Rng } from './random.js';

export type DiabetesType = 'type1' | 'type2' | 'gestational' | 'lada' | 'mody' | 'other';
export type ReadingContext =
  | 'fasting'
  | 'breakfast'
  | 'lunch'
  | 'snack'
  | 'dinner'
  | 'exercise'
  | 'other_meal'
  | 'bedtime'
  | 'other';

/** A usual meal: local minute of the day, its day-to-day spread (minutes), typical rise (mg/dL). */
export interface MealHabit {
  at: number;
  sd: number;
  rise: number;
}

export interface GlucoseProfile {
  /** Seed of every random stream of this patient's readings. */
  seed: number;
  cgm: boolean;
  /** Level between meals, mg/dL. */
  baseline: number;
  dawnRise: number;
  nightDip: number;
  breakfast: MealHabit;
  lunch: MealHabit;
  dinner: MealHabit;
  /** Chance of an afternoon "merienda". */
  snackChance: number;
  /** Stationary SD of the slow random wander (mg/dL) and its correlation time (minutes). */
  driftSd: number;
  driftMinutes: number;
  /** Sensor noise SD, mg/dL (CGM) — meters get a proportional error instead. */
  noiseSd: number;
  hyposPerDay: number;
  /** Chance that a meal is under-dosed or large: a peak well above 250. */
  highChance: number;
  exerciseChance: number;
  /** CGM: nominal sensor life (days), warm-up after insertion (minutes), signal losses per week. */
  sensorDays: number;
  warmupMinutes: number;
  gapsPerWeek: number;
  /** Meter: usual number of checks per day (4–8). */
  checksPerDay: number;
}

const INSULIN_DEFICIENT = new Set<DiabetesType>(['type1', 'lada']);

/** Draws a patient's glucose habits; type 1 / LADA run higher and swing more than type 2. */
export function glucoseProfile(rng: Rng, type: DiabetesType, seed: number): GlucoseProfile {
  const labile = INSULIN_DEFICIENT.has(type);
  const mild = type === 'gestational' || type === 'mody';
  const cgm = rng.chance(labile ? 0.85 : 0.5); // ≈ 60 % of the whole clinic
  const rise = (lo: number, hi: number) => Math.round(rng.range(lo, hi) * (labile ? 1.3 : mild ? 0.7 : 1));
  return {
    seed,
    cgm,
    baseline: Math.round(mild ? rng.range(90, 115) : labile ? rng.range(115, 160) : rng.range(105, 150)),
    dawnRise: Math.round(rng.range(5, labile ? 45 : 30)),
    nightDip: Math.round(rng.range(0, 25)),
    breakfast: { at: rng.int(6 * 60 + 30, 8 * 60 + 30), sd: rng.int(15, 40), rise: rise(35, 70) },
    lunch: { at: rng.int(12 * 60 + 30, 14 * 60), sd: rng.int(20, 45), rise: rise(40, 80) },
    dinner: { at: rng.int(20 * 60 + 30, 22 * 60), sd: rng.int(20, 50), rise: rise(45, 85) },
    snackChance: rng.range(0.3, 0.9),
    driftSd: Math.round(labile ? rng.range(16, 28) : rng.range(8, 18)),
    driftMinutes: rng.int(60, 150),
    noiseSd: rng.range(2.5, 5),
    hyposPerDay: labile ? rng.range(0.35, 0.9) : mild ? rng.range(0.02, 0.08) : rng.range(0.04, 0.2),
    highChance: labile ? rng.range(0.04, 0.1) : rng.range(0.01, 0.05),
    exerciseChance: rng.range(0.1, 0.5),
    sensorDays: rng.chance(0.5) ? 14 : 10,
    warmupMinutes: rng.chance(0.5) ? 60 : 120,
    gapsPerWeek: rng.range(0.5, 3),
    checksPerDay: rng.int(4, 8),
  };
}

export interface Meal {
  at: number;
  rise: number;
}

/** A hypoglycaemia: glucose is pulled towards `nadir` over ±`half` minutes around `at`. */
export interface Hypo {
  at: number;
  half: number;
  nadir: number;
}

export interface Check {
  minute: number;
  context: ReadingContext;
}

export interface DayPlan {
  day: number;
  meals: Meal[];
  exercise: { at: number; drop: number } | null;
  hypos: Hypo[];
  /** Meter checks of the day, in time order (only used for meter patients). */
  checks: Check[];
}

const PLAN_STREAM = 0x504c414e; // "PLAN"

function meal(rng: Rng, habit: MealHabit, highChance: number): Meal {
  const at = Math.round(rng.normal(habit.at, habit.sd));
  const factor = Math.exp(rng.normal(0, 0.3)) * (rng.chance(highChance) ? rng.range(2.2, 3.2) : 1);
  return { at, rise: habit.rise * factor };
}

/** The plan of local day `day` (days since 1970-01-01 on the patient's wall clock). */
export function planDay(profile: GlucoseProfile, day: number): DayPlan {
  const rng = new Rng(deriveSeed(profile.seed, PLAN_STREAM, day));
  const meals = [
    meal(rng, profile.breakfast, profile.highChance),
    meal(rng, profile.lunch, profile.highChance),
    meal(rng, profile.dinner, profile.highChance),
  ];
  const snack = rng.chance(profile.snackChance)
    ? { at: rng.int(16 * 60 + 30, 18 * 60 + 30), rise: rng.range(15, 45) }
    : null;
  if (snack) meals.push(snack);
  const exercise = rng.chance(profile.exerciseChance)
    ? { at: rng.int(9 * 60, 19 * 60 + 30), drop: rng.range(20, 50) }
    : null;
  const hypos: Hypo[] = [];
  for (let n = rng.poisson(profile.hyposPerDay); n > 0; n--) {
    // Half happen overnight, the rest in the afternoon (after lunch insulin or exercise).
    const at = rng.chance(0.5) ? rng.int(60, 5 * 60) : rng.int(15 * 60, 19 * 60);
    hypos.push({ at, half: rng.int(25, 50), nadir: rng.range(45, 66) });
  }
  return { day, meals, exercise, hypos, checks: planChecks(rng, profile, meals, snack, exercise) };
}

function planChecks(
  rng: Rng,
  profile: GlucoseProfile,
  meals: Meal[],
  snack: Meal | null,
  exercise: DayPlan['exercise'],
): Check[] {
  const [breakfast, lunch, dinner] = meals as [Meal, Meal, Meal];
  const preOrPost = (m: Meal) => (rng.chance(0.5) ? m.at - rng.int(5, 20) : m.at + rng.int(100, 130));
  const candidates: Check[] = [
    { minute: breakfast.at + rng.int(100, 130), context: 'breakfast' },
    { minute: preOrPost(lunch), context: 'lunch' },
    { minute: dinner.at > 21 * 60 ? dinner.at - rng.int(5, 20) : preOrPost(dinner), context: 'dinner' },
    { minute: rng.int(22 * 60 + 45, 23 * 60 + 50), context: 'bedtime' },
    { minute: snack ? snack.at + rng.int(60, 100) : rng.int(17 * 60, 18 * 60 + 30), context: 'snack' },
    { minute: rng.int(10 * 60 + 30, 11 * 60 + 30), context: 'other_meal' },
    { minute: rng.int(9 * 60, 21 * 60), context: 'other' },
  ];
  const weights = [4, 5, 5, 4, 2, 1, 1];
  if (exercise) {
    candidates.push({ minute: exercise.at + rng.int(30, 60), context: 'exercise' });
    weights.push(3);
  }
  const wanted = Math.min(8, Math.max(4, Math.round(rng.normal(profile.checksPerDay, 0.8))));
  // Fasting is always checked; the rest are drawn without replacement, meals more likely.
  const chosen: Check[] = [{ minute: breakfast.at - rng.int(10, 40), context: 'fasting' }];
  while (chosen.length < wanted) {
    const i = rng.weighted(weights);
    chosen.push(candidates[i] as Check);
    weights[i] = 0;
  }
  chosen.sort((a, b) => a.minute - b.minute);
  // Nobody checks twice within 10 minutes: nudge later checks, and drop any pushed past midnight.
  const out: Check[] = [];
  for (const c of chosen) {
    const prev = out[out.length - 1];
    const minute = prev && c.minute < prev.minute + 10 ? prev.minute + 10 : c.minute;
    if (minute < 24 * 60) out.push({ minute, context: c.context });
  }
  return out;
}

/** Raised-cosine bump: 1 at `center`, 0 beyond ±`half` minutes. */
function bump(x: number, center: number, half: number): number {
  const d = x - center;
  return d <= -half || d >= half ? 0 : 0.5 * (1 + Math.cos((Math.PI * d) / half));
}

/** Post-meal response: peaks (1) about 55 minutes after eating, mostly gone after 4 hours. */
function mealResponse(dt: number): number {
  if (dt <= 0 || dt >= 360) return 0;
  const x = dt / 55;
  return x * Math.exp(1 - x);
}

/**
 * The underlying glucose (mg/dL, before sensor error) at `minute` of the day of `plan`, given the
 * previous day's plan (late dinners carry past midnight) and the current slow drift.
 */
export function glucoseAt(profile: GlucoseProfile, plan: DayPlan, previous: DayPlan, minute: number, drift: number) {
  let v = profile.baseline + drift;
  v += profile.dawnRise * bump(minute, 6.5 * 60, 2.5 * 60);
  v -= profile.nightDip * bump(minute, 3 * 60, 2 * 60);
  for (const m of plan.meals) v += m.rise * mealResponse(minute - m.at);
  for (const m of previous.meals) v += m.rise * mealResponse(minute + 24 * 60 - m.at);
  if (plan.exercise) v -= plan.exercise.drop * bump(minute, plan.exercise.at + 45, 75);
  for (const h of plan.hypos) {
    const w = bump(minute, h.at, h.half);
    if (w > 0) v = v * (1 - w) + h.nadir * w;
  }
  return v;
}

/** What a device stores: clamped to the 40–400 mg/dL a sensor reports, one decimal. */
export function deviceValue(v: number): number {
  const clamped = Math.min(400, Math.max(40, v));
  return Math.round(clamped * 10) / 10;
}
