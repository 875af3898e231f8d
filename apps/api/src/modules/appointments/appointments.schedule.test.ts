/** Opening hours and the daily reset in the clinic timezone (pure boundary arithmetic). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseQueueSchedule, type QueueWindow } from '../../config/index.js';
import { latestBoundary, latestDailyKey, localTime, withinSchedule } from './appointments.schedule.js';

const BA = 'America/Argentina/Buenos_Aires'; // UTC−3, no DST
const week = parseQueueSchedule('mon-fri 08:00-12:00; sat 09:00-11:00') as QueueWindow[];

describe('QUEUE_SCHEDULE parsing', () => {
  it('expands ranges and lists to one window per weekday', () => {
    expect(week).toHaveLength(6);
    expect(week.find((w) => w.weekday === 6)).toEqual({ weekday: 6, open: '09:00', close: '11:00' });
    expect(parseQueueSchedule('fri-mon 10:00-11:00')).toHaveLength(4);
    expect(parseQueueSchedule('mon,wed 10:00-11:00')).toHaveLength(2);
    expect(parseQueueSchedule('')).toEqual([]);
  });

  it.each(['mon 12:00-08:00', 'funday 08:00-09:00', 'mon 8:00-9:00', 'mon-tue-wed 08:00-09:00', 'mon 08:00'])(
    'refuses %s with a message',
    (value) => {
      expect(typeof parseQueueSchedule(value)).toBe('string');
    },
  );
});

describe('queue configuration', () => {
  it('is off by default and parsed into the config when set', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).queue).toEqual({
      schedule: [],
      autoResetAt: null,
      schedulerIntervalMs: 30_000,
    });
    const config = loadConfig({ NODE_ENV: 'test', QUEUE_SCHEDULE: 'sat 09:00-11:00', QUEUE_AUTO_RESET_AT: '23:30' });
    expect(config.queue).toMatchObject({
      schedule: [{ weekday: 6, open: '09:00', close: '11:00' }],
      autoResetAt: '23:30',
    });
  });

  it.each([
    [{ QUEUE_SCHEDULE: 'mon 12:00-08:00' }, /QUEUE_SCHEDULE/],
    [{ QUEUE_AUTO_RESET_AT: '24:00' }, /QUEUE_AUTO_RESET_AT/],
    [{ QUEUE_SCHEDULER_INTERVAL_SECONDS: '0' }, /QUEUE_SCHEDULER_INTERVAL_SECONDS/],
  ])('refuses to start with %j', (env, message) => {
    expect(() => loadConfig({ NODE_ENV: 'test', ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', ...env })).toThrow(message);
  });
});

describe('boundaries', () => {
  it('reads the wall clock of the clinic', () => {
    // 2026-01-15 is a Thursday; 11:30 UTC is 08:30 in Buenos Aires.
    expect(localTime(new Date('2026-01-15T11:30:00Z'), BA)).toEqual({ date: '2026-01-15', time: '08:30', weekday: 4 });
  });

  it('the latest boundary is the opening during hours and the closing after them', () => {
    expect(latestBoundary(week, new Date('2026-01-15T11:30:00Z'), BA)).toEqual({
      key: '2026-01-15T08:00 open',
      open: true,
    });
    expect(latestBoundary(week, new Date('2026-01-15T15:00:00Z'), BA)).toEqual({
      key: '2026-01-15T12:00 close',
      open: false,
    });
    // 07:59 local: still yesterday's closing.
    expect(latestBoundary(week, new Date('2026-01-15T10:59:00Z'), BA)?.key).toBe('2026-01-14T12:00 close');
    // The opening minute itself counts.
    expect(latestBoundary(week, new Date('2026-01-15T11:00:00Z'), BA)?.key).toBe('2026-01-15T08:00 open');
  });

  it('looks back over the weekend (Sunday has no hours) to Saturday', () => {
    expect(latestBoundary(week, new Date('2026-01-18T15:00:00Z'), BA)?.key).toBe('2026-01-17T11:00 close');
    expect(latestBoundary(week, new Date('2026-01-19T10:00:00Z'), BA)?.key).toBe('2026-01-17T11:00 close');
  });

  it('back-to-back windows stay open (a closing sorts before an opening at the same minute)', () => {
    const split = parseQueueSchedule('thu 08:00-10:00; thu 10:00-12:00') as QueueWindow[];
    expect(latestBoundary(split, new Date('2026-01-15T13:00:00Z'), BA)).toEqual({
      key: '2026-01-15T10:00 open',
      open: true,
    });
  });

  it('no schedule, no boundary; within-hours reflects the windows', () => {
    expect(latestBoundary([], new Date(), BA)).toBeNull();
    expect(withinSchedule(week, new Date('2026-01-15T11:30:00Z'), BA)).toBe(true);
    expect(withinSchedule(week, new Date('2026-01-15T15:00:00Z'), BA)).toBe(false);
  });

  it('the daily reset key is today after the time, yesterday before it', () => {
    expect(latestDailyKey('23:30', new Date('2026-01-16T02:45:00Z'), BA)).toBe('2026-01-15T23:30');
    expect(latestDailyKey('23:30', new Date('2026-01-16T02:15:00Z'), BA)).toBe('2026-01-14T23:30');
    expect(latestDailyKey('00:00', new Date('2026-01-15T03:00:00Z'), BA)).toBe('2026-01-15T00:00');
  });
});
