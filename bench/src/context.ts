/** What every scenario gets: options, pinning, the database under test, and where rows go. */
import { fileURLToPath } from 'node:url';
import type { BenchDatabase, DataFacts } from './database.js';
import type { HttpSummary } from './http-load.js';
import type { MachineInfo } from './machine.js';
import type { Options, ScenarioId } from './options.js';
import type { Pinning } from './proc.js';
import type { CeilingRow, Row } from './report.js';
import type { MicroResult } from './tasks.js';

export interface RunContext {
  opts: Options;
  pinning: Pinning;
  machine: MachineInfo;
  db: BenchDatabase;
  /** Read after the first load, before any server holds the database. */
  facts: DataFacts;
  /** The app server's DATA_DIR: its development keys (and, on PGlite, its database). */
  serverDataDir: string;
  rows: Row[];
  ceilings: CeilingRow[];
  warnings: string[];
  /** Extra lines of the report's Data section (rows the platform scenarios added). */
  data: [string, string][];
  /**
   * Measured once per run: ceilings of the machine rather than of a database, and the route
   * table of the server under test (`METHOD /path`), which says what is built.
   */
  shared: { bare?: { load: HttpSummary | null; rss: number }; micro?: MicroResult; routes?: string[] };
}

export function wants(ctx: RunContext, ...ids: ScenarioId[]): boolean {
  return ids.some((id) => ctx.opts.scenarios.has(id));
}

/** Compiled sibling scripts (dist/servers/*.js, dist/worker.js) run as child processes. */
export function script(relative: string): string {
  return fileURLToPath(new URL(`./${relative}`, import.meta.url));
}

export function step(text: string): void {
  process.stderr.write(`▶ ${text}\n`);
}

export const MB = 1024 * 1024;
