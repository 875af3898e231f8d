/**
 * The statistics window: presets of 7/14/30/90 days ending today, or a custom pair of calendar
 * dates, all read in the clinic's timezone (the same zone the screen shows). The API takes the dates
 * as YYYY-MM-DD plus `tz` and includes the whole `to` day; the readings list wants instants, so
 * local midnights are converted here.
 */
export const PRESET_DAYS = [7, 14, 30, 90] as const;
export const DEFAULT_DAYS = 14;

export interface StatsWindow {
  /** Inclusive first calendar day, YYYY-MM-DD. */
  from: string;
  /** Inclusive last calendar day, YYYY-MM-DD. */
  to: string;
  /** The preset it came from, or null for a custom window. */
  preset: number | null;
}

/** Today's calendar date in `timeZone`. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function presetWindow(days: number, timeZone: string, now: Date = new Date()): StatsWindow {
  const to = todayIn(timeZone, now);
  return { from: addDays(to, -(days - 1)), to, preset: days };
}

export function isValidWindow(w: { from: string; to: string }): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(w.from) && /^\d{4}-\d{2}-\d{2}$/.test(w.to) && w.from <= w.to;
}

/** Offset of `timeZone` from UTC at `instant`, in ms (positive east of Greenwich). */
/** How far `timeZone`'s wall clock is ahead of UTC at `instant` (shared with the audit filters). */
export function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant of local midnight starting `date` in `timeZone` (DST-safe: two passes). */
export function localMidnight(date: string, timeZone: string): Date {
  const naive = Date.parse(`${date}T00:00:00Z`);
  let guess = naive - offsetMs(naive, timeZone);
  guess = naive - offsetMs(guess, timeZone);
  return new Date(guess);
}

/** The window as instants: [start of `from`, start of the day after `to`). */
export function windowInstants(w: { from: string; to: string }, timeZone: string): { from: string; to: string } {
  return {
    from: localMidnight(w.from, timeZone).toISOString(),
    to: localMidnight(addDays(w.to, 1), timeZone).toISOString(),
  };
}

/** The last `days` days of a window (for the glucose chart's zoom and the daily profiles). */
export function tailOf(w: { from: string; to: string }, days: number): { from: string; to: string } {
  const start = addDays(w.to, -(days - 1));
  return { from: start > w.from ? start : w.from, to: w.to };
}

/** A wall-clock `YYYY-MM-DDTHH:mm` in `timeZone` → the instant (ISO, UTC). */
export function zonedInstant(local: string, timeZone: string): string {
  const [date, time = '00:00'] = local.split('T') as [string, string?];
  const [h, m] = time.split(':').map(Number) as [number, number];
  return new Date(localMidnight(date, timeZone).getTime() + (h * 60 + m) * 60_000).toISOString();
}

/** An instant → `YYYY-MM-DDTHH:mm` on `timeZone`'s wall clock (for a datetime-local input). */
export function wallClock(instant: string | Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(typeof instant === 'string' ? new Date(instant) : instant);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}
