/**
 * Opening hours and the automatic day reset, in the clinic timezone. Pure functions over a clock
 * reading: which schedule boundary (an opening or a closing) happened last, and which reset time.
 *
 * Boundaries are identified by their local wall-clock key, `YYYY-MM-DDTHH:MM open|close`. The
 * queue row remembers the last key it applied, so each boundary applies exactly once (across
 * instances too: the check runs under the queue row lock). A manual open/close between two
 * boundaries therefore stands until the next one. Keys sort as strings; at one instant a closing
 * sorts before an opening ("close" < "open"), so back-to-back windows stay open.
 */
import type { QueueWindow } from '../../config/index.js';

export interface LocalTime {
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  /** `HH:MM` in the zone. */
  time: string;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, time: `${parts.hour}:${parts.minute}`, weekday: new Date(`${date}T00:00:00Z`).getUTCDay() };
}

/** The local date `days` before `date`, with its weekday (calendar arithmetic, no zone involved). */
function daysBefore(date: string, days: number): { date: string; weekday: number } {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return { date: d.toISOString().slice(0, 10), weekday: d.getUTCDay() };
}

export interface Boundary {
  key: string;
  open: boolean;
}

/** The most recent opening or closing at or before `now` (looking back a week), or null. */
export function latestBoundary(windows: readonly QueueWindow[], now: Date, timeZone: string): Boundary | null {
  if (windows.length === 0) return null;
  const here = localTime(now, timeZone);
  const nowKey = `${here.date}T${here.time}`;
  let best: Boundary | null = null;
  for (let back = 0; back <= 7 && !best; back++) {
    const day = daysBefore(here.date, back);
    for (const w of windows) {
      if (w.weekday !== day.weekday) continue;
      for (const [time, open] of [
        [w.open, true],
        [w.close, false],
      ] as const) {
        const stamp = `${day.date}T${time}`;
        if (stamp > nowKey) continue;
        const key = `${stamp} ${open ? 'open' : 'close'}`;
        if (!best || key > best.key) best = { key, open };
      }
    }
  }
  return best;
}

/** Whether `now` falls inside one of the windows (for display; the queue applies boundaries). */
export function withinSchedule(windows: readonly QueueWindow[], now: Date, timeZone: string): boolean {
  const here = localTime(now, timeZone);
  return windows.some((w) => w.weekday === here.weekday && w.open <= here.time && here.time < w.close);
}

/** The key (`YYYY-MM-DDTHH:MM`) of the latest daily `time` at or before `now`. */
export function latestDailyKey(time: string, now: Date, timeZone: string): string {
  const here = localTime(now, timeZone);
  const date = here.time >= time ? here.date : daysBefore(here.date, 1).date;
  return `${date}T${time}`;
}
