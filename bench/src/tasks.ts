/** What the harness asks its pinned worker to measure, and what comes back (JSON both ways). */
import type { Summary } from './samples.js';
import type { DbTarget } from './sql-client.js';

export interface Phase {
  warmupMs: number;
  durationMs: number;
}

/** Costs of single operations on the server's CPU: token verification and argon2id. */
export interface MicroTask extends Phase {
  kind: 'micro';
  /** In-flight verifications for the throughput figure (the HTTP scenarios' connection count). */
  concurrency: number;
  /** In-flight argon2id verifications (the login scenario's connection count). */
  loginConcurrency: number;
}

export interface MicroResult {
  /** Full signature checks (every token new to the key store), one at a time: latency of a call. */
  verifySerial: Summary;
  /** Full checks, `concurrency` in flight: calls per second one core sustains. */
  verifyParallel: Summary;
  /** The same token again and again (the key store's verified-token cache, when it has one). */
  verifyRepeated: Summary;
  argon2: Summary;
}

/** Bare PostgreSQL ceilings for one data size. */
export interface DbTask extends Phase {
  kind: 'db';
  target: DbTarget;
  /** The CGM patient whose pages and statistics are measured (the same at every size). */
  patientId: number;
  timezone: string;
  /** End of the generated data window (ISO); statistics windows end here. */
  windowEnd: string;
  seed: number;
  concurrency: number;
  /** Fixed arrival rate for the page-at-rate phase (the budget's 1,000 req/s). */
  pageRate: number;
  insert: { concurrency: number; batchRows: number; duplicateShare: number; cleanup: boolean } | null;
  stats: boolean;
  agp: boolean;
  page: boolean;
}

export interface InsertResult {
  batches: number;
  /** Readings offered per second, duplicates included (what a syncing client sends). */
  readingsPerSecond: number;
  batch: Summary;
  /** Share of offered rows that ON CONFLICT skipped: should equal duplicateShare. */
  skippedShare: number;
}

export interface DbResult {
  patientReadings: number;
  page?: Summary;
  pageAtRate?: Summary;
  stats14?: Summary;
  stats90?: Summary;
  agp?: Summary;
  insert?: InsertResult;
}

export type WorkerTask = MicroTask | DbTask;
