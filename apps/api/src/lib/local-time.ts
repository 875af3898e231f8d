/**
 * UTC ↔ patient-local time for the generators. Meals and the dawn phenomenon follow the patient's
 * wall clock (clinical.md: days are computed in the patient's timezone), but Intl is far too slow
 * to call per reading (10M readings), so offsets are memoised per UTC hour and zone: every real
 * zone changes offset on an hour boundary, and a 30-day window needs only 720 lookups per zone
 * however many patients share it.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A zone `Intl` knows (IANA names and their aliases): the check the config and every request share. */
export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
/** Bounds the memo for long-running callers (the benchmark): about 11 years of hours per zone. */
const MAX_CACHED_HOURS = 100_000;

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

function computeOffset(timezone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timezone).formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - utcMs;
}

/** The zone's exact offset (wall clock − UTC, ms) at an instant, to the second; not memoised. */
export function exactOffsetMs(timezone: string, utcMs: number): number {
  const at = Math.floor(utcMs / 1000) * 1000;
  return computeOffset(timezone, at);
}

/** Milliseconds to add to a UTC instant to get the wall-clock time in `timezone`. */
export function timezoneOffsetMs(timezone: string, utcMs: number): number {
  const hour = Math.floor(utcMs / HOUR_MS);
  let zone = offsets.get(timezone);
  if (!zone) {
    zone = new Map();
    offsets.set(timezone, zone);
  }
  let offset = zone.get(hour);
  if (offset === undefined) {
    if (zone.size >= MAX_CACHED_HOURS) zone.clear();
    offset = computeOffset(timezone, hour * HOUR_MS);
    zone.set(hour, offset);
  }
  return offset;
}

/** Wall-clock milliseconds ("local epoch") for a UTC instant. */
export function toLocalMs(timezone: string, utcMs: number): number {
  return utcMs + timezoneOffsetMs(timezone, utcMs);
}

/**
 * The UTC instant of a wall-clock time. Across a DST jump the second lookup picks the offset in
 * force at the result, so a non-existent local time lands just after the jump.
 */
export function fromLocalMs(timezone: string, localMs: number): number {
  const first = localMs - timezoneOffsetMs(timezone, localMs);
  return localMs - timezoneOffsetMs(timezone, first);
}

/** The patient's local calendar day (`YYYY-MM-DD`) of an instant. */
export function localDay(timezone: string, utcMs: number): string {
  return new Date(toLocalMs(timezone, utcMs)).toISOString().slice(0, 10);
}
