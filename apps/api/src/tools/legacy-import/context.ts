/** What every import step shares: the sources, the target, the run's settings and its callbacks. */
import type { Database } from '../../db/client.js';
import type { LegacyTable } from './report.js';
import type { LegacySources } from './source.js';

export interface ImportContext {
  sources: LegacySources;
  target: Database;
  /** The run's start: the timestamp of every row whose legacy table had none (README "Timestamps"). */
  runAt: Date;
  /** IANA zone the legacy `timestamp without time zone` values are read in. */
  sourceTimezone: string;
  chunkSize: number;
  /** Every legacy user id (skipped or not): tells an unknown user from a skipped one. */
  userIds: Set<number>;
  /** Legacy user ids this run skipped (the users step runs first and sees every user). */
  skippedUsers: Set<number | string>;
  /** Called after each committed chunk. */
  chunkDone(table: LegacyTable, rows: number): Promise<void>;
}
