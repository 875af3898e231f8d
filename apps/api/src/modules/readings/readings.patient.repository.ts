/**
 * The patient side of readings: the patient row every reading write locks first (change-feed
 * order), its existence and timezone, and the gamification counters kept on it.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { achievements, patients } from '../../db/schema/index.js';
import type { GamificationState } from './readings.gamification.js';

/** The counters a reading write updates and the zone their days are counted in (the write and the read use both). */
const gamificationColumns = {
  timezone: patients.timezone,
  timesMeasured: patients.timesMeasured,
  streak: patients.streakDays,
  maxStreak: patients.maxStreakDays,
  fourTimesToday: patients.fourTimesToday,
  counterDay: patients.counterDay,
  streakLastDate: patients.streakLastDate,
};

/** The patient's row, locked: every reading write of a patient serialises here (change feed order). */
export async function lockPatient(tx: Executor, patientId: number) {
  const [row] = await tx
    .select({
      id: patients.id,
      changeSeq: patients.readingsChangeSeq,
      ...gamificationColumns,
      lastReadingAt: patients.lastReadingAt,
    })
    .from(patients)
    .where(eq(patients.id, patientId))
    .for('update');
  return row ?? null;
}
export type LockedPatient = NonNullable<Awaited<ReturnType<typeof lockPatient>>>;

export async function patientExists(db: Executor, patientId: number): Promise<boolean> {
  const rows = await db.select({ id: patients.id }).from(patients).where(eq(patients.id, patientId));
  return rows.length > 0;
}

export async function patientTimezone(db: Executor, patientId: number): Promise<string | null> {
  const [row] = await db.select({ tz: patients.timezone }).from(patients).where(eq(patients.id, patientId));
  return row?.tz ?? null;
}

/** The counters of a locked patient row, as the gamification rules read them. */
export function stateOf(p: LockedPatient): GamificationState {
  return {
    timesMeasured: p.timesMeasured,
    streak: p.streak,
    maxStreak: p.maxStreak,
    fourTimesToday: p.fourTimesToday,
    counterDay: p.counterDay,
    streakLastDate: p.streakLastDate,
  };
}

export async function saveGamification(
  tx: Executor,
  patientId: number,
  s: GamificationState,
  changeSeq: number,
  lastReadingAt: Date | null,
): Promise<void> {
  await tx
    .update(patients)
    .set({
      timesMeasured: s.timesMeasured,
      streakDays: s.streak,
      maxStreakDays: s.maxStreak,
      fourTimesToday: s.fourTimesToday,
      counterDay: s.counterDay,
      streakLastDate: s.streakLastDate,
      readingsChangeSeq: changeSeq,
      lastReadingAt,
      updatedAt: sql`now()`,
    })
    .where(eq(patients.id, patientId));
}

export async function gamificationOf(db: Executor, patientId: number) {
  const [row] = await db.select(gamificationColumns).from(patients).where(eq(patients.id, patientId));
  return row ?? null;
}

export async function achievementCatalogue(db: Executor) {
  return db.select().from(achievements).orderBy(asc(achievements.id));
}
