/**
 * The consultation-queue section: opening hours, the automatic day reset, and how often the
 * scheduler looks at the clock.
 */
import { type Static, Type } from 'typebox';

export const queueEnv = {
  QUEUE_SCHEDULE: Type.String({ default: '', maxLength: 1000 }),
  QUEUE_AUTO_RESET_AT: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })),
  QUEUE_SCHEDULER_INTERVAL_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 3600 }),
};
const QueueEnv = Type.Object(queueEnv);
type QueueEnv = Static<typeof QueueEnv>;

/** One opening window of the queue: weekday 0 = Sunday … 6 = Saturday, times `HH:MM`, open < close. */
export interface QueueWindow {
  readonly weekday: number;
  readonly open: string;
  readonly close: string;
}

export interface QueueConfig {
  readonly queue: {
    /** Opening hours in the clinic timezone; empty = no schedule (open/close by hand only). */
    readonly schedule: readonly QueueWindow[];
    /** `HH:MM` clinic time of the automatic day reset, or null. */
    readonly autoResetAt: string | null;
    readonly schedulerIntervalMs: number;
  };
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * QUEUE_SCHEDULE: `;`-separated entries `<days> <HH:MM>-<HH:MM>`, days a name (`mon`), a range
 * (`mon-fri`) or a list (`mon,wed,fri`). Example: `mon-fri 08:00-12:00; sat 09:00-11:00`.
 * Returns the windows, or a problem message.
 */
export function parseQueueSchedule(value: string): QueueWindow[] | string {
  const windows: QueueWindow[] = [];
  for (const entry of value.split(';').map((e) => e.trim().toLowerCase())) {
    if (entry === '') continue;
    const m = /^([a-z,-]+)\s+([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(entry);
    if (!m) return `QUEUE_SCHEDULE: cannot read "${entry}" (expected e.g. "mon-fri 08:00-12:00")`;
    const open = `${m[2]}:${m[3]}`;
    const close = `${m[4]}:${m[5]}`;
    if (open >= close) return `QUEUE_SCHEDULE: "${entry}" closes before it opens`;
    const days = new Set<number>();
    for (const part of (m[1] as string).split(',')) {
      const [from = '', to = from] = part.split('-');
      const a = WEEKDAYS.indexOf(from);
      const b = WEEKDAYS.indexOf(to);
      if (a < 0 || b < 0 || part.split('-').length > 2) return `QUEUE_SCHEDULE: unknown day in "${entry}"`;
      for (let d = a; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === b) break;
      }
    }
    for (const weekday of days) windows.push({ weekday, open, close });
  }
  return windows;
}

/** The section from a validated environment; `schedule` already read by `parseQueueSchedule`. */
export function queueConfig(env: QueueEnv, schedule: QueueWindow[]): QueueConfig {
  return {
    queue: {
      schedule,
      autoResetAt: env.QUEUE_AUTO_RESET_AT ?? null,
      schedulerIntervalMs: env.QUEUE_SCHEDULER_INTERVAL_SECONDS * 1000,
    },
  };
}
