/**
 * Legacy gamification (clinical.md "Days, streaks and time zones", legacy-compat A.5/E.16), pure.
 *
 * - `timesMeasured` counts live readings.
 * - `fourTimesToday` counts the readings of the current local day modulo 4; the 4th reading of a
 *   day advances the streak (once per day), then the counter wraps to 0.
 * - The streak continues when the previous advance was the day before; otherwise it restarts at 1.
 *   A missed day therefore shows as 0 (see `effective`) and the next full day starts again at 1.
 * - `maxStreak` ≥ `streak` always.
 *
 * Days are local dates in the patient's timezone (`YYYY-MM-DD`). A reading dated before the day the
 * counter is on (a meter uploading yesterday's readings late) counts in `timesMeasured` only: a
 * late upload must not rewrite a day that is already over.
 */

export interface GamificationState {
  timesMeasured: number;
  streak: number;
  maxStreak: number;
  fourTimesToday: number;
  counterDay: string | null;
  streakLastDate: string | null;
}

/** `YYYY-MM-DD` of the day before. */
export function previousDay(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** The state after new readings on these local days (in the order they were recorded). */
export function applyReadings(state: GamificationState, days: readonly string[]): GamificationState {
  const s = { ...state };
  for (const day of days) {
    s.timesMeasured += 1;
    if (s.counterDay !== null && day < s.counterDay) continue;
    if (s.counterDay !== day) {
      s.counterDay = day;
      s.fourTimesToday = 0;
    }
    s.fourTimesToday += 1;
    if (s.fourTimesToday === 4) {
      s.fourTimesToday = 0;
      if (s.streakLastDate !== day) {
        s.streak = s.streakLastDate === previousDay(day) ? s.streak + 1 : 1;
        s.streakLastDate = day;
        s.maxStreak = Math.max(s.maxStreak, s.streak);
      }
    }
  }
  return s;
}

/** Deleting readings lowers the count only: a streak earned stays earned. */
export function removeReadings(state: GamificationState, count: number): GamificationState {
  return { ...state, timesMeasured: Math.max(0, state.timesMeasured - count) };
}

/**
 * What the patient sees today: the streak is broken (0) once a whole day passed without an
 * advance, and today's counter is 0 until today's first reading.
 */
export function effective(state: GamificationState, today: string): GamificationState {
  const alive = state.streakLastDate === today || state.streakLastDate === previousDay(today);
  return {
    ...state,
    streak: alive ? state.streak : 0,
    fourTimesToday: state.counterDay === today ? state.fourTimesToday : 0,
  };
}
