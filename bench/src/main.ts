/**
 * `npm run bench`: one run, one table. Creates a throwaway database, measures the machine's
 * ceilings and the platform's scenarios side by side, prints the Markdown report and writes it
 * to bench/results/<date>-<profile>.md. Everything it starts it stops; the database is dropped
 * even on Ctrl-C.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunContext, step, wants } from './context.js';
import {
  type BenchDatabase,
  createPgliteDatabase,
  createPostgresDatabase,
  dataFacts,
  describeServer,
  growTo,
  type LoadState,
} from './database.js';
import { busyWarning, type MachineInfo, machineInfo } from './machine.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { decidePinning, liveChildren, type Pinning, pinSelf } from './proc.js';
import { missesSection, type Row, renderReport, scenarioTable } from './report.js';
import { dataScenarios, pendingRows, type SizeInfo, type SizeResult, sizeText } from './scenarios/data.js';
import { httpScenarios } from './scenarios/http.js';
import { finalScenarios } from './scenarios/platform.js';
import { DEDUP_INDEXES } from './sql.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Folders to remove however the run ends (the server's keys, PGlite data). */
const temporary: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface SizeRun {
  info: SizeInfo;
  loadMs: number;
  vacuumMs: number;
  result: SizeResult | null;
}

function updateReadme(rows: Row[], header: string): void {
  const file = path.join(BENCH_DIR, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench:latest:start -->';
  const end = '<!-- bench:latest:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
  const body = `${header}\n\n${scenarioTable(rows)}\n\nBudget misses:\n\n${missesSection(rows)}\n`;
  writeFileSync(file, `${text.slice(0, i + start.length)}\n${body}${text.slice(j)}`);
}

/**
 * Loads each size in turn and measures it. The HTTP scenarios do not depend on the data size:
 * they run once, on the smallest table.
 */
async function measureSizes(ctx: RunContext, sizes: number[], label: string): Promise<SizeRun[]> {
  const { opts, db } = ctx;
  const state: LoadState = { patients: 0, readings: 0, loadMs: 0, vacuumMs: 0 };
  const runs: SizeRun[] = [];
  for (const [index, target] of sizes.entries()) {
    step(
      `${label}: loading to ${target.toLocaleString('en-US')} readings (seed ${opts.seed}, ${opts.days} days per patient)`,
    );
    const before = { load: state.loadMs, vacuum: state.vacuumMs };
    await growTo(db, state, target, {
      seed: opts.seed,
      days: opts.days,
      now: opts.now,
      progress: process.stderr.isTTY,
    });
    const info: SizeInfo = { target, readings: state.readings, patients: state.patients };
    const run: SizeRun = {
      info,
      loadMs: state.loadMs - before.load,
      vacuumMs: state.vacuumMs - before.vacuum,
      result: null,
    };
    process.stderr.write(
      `  ${sizeText(info)}: ${info.patients} patients, insert ${seconds(run.loadMs)}, vacuum+analyze ${seconds(run.vacuumMs)}\n`,
    );
    if (index === 0) ctx.facts = await dataFacts(db, opts.seed);
    // PGlite is one process's folder: the harness lets go before the server or worker opens it.
    if (db.kind === 'pglite') await db.release();
    if (index === 0 && wants(ctx, 'http', 'auth', 'login', 'rss')) await httpScenarios(ctx);
    if (wants(ctx, 'page', 'sync', 'stats', 'agp', 'triage'))
      run.result = await dataScenarios(ctx, info, index === sizes.length - 1);
    runs.push(run);
  }
  const first = runs[0];
  const last = runs.at(-1);
  const firstPage = first?.result?.db.page;
  const lastPage = last?.result?.db.page;
  if (first && last && firstPage && lastPage && runs.length > 1) {
    const sizes = `${sizeText(last.info)} vs ${sizeText(first.info)}`;
    const bare = (lastPage.p50Ms / firstPage.p50Ms) * 100;
    ctx.ceilings.push({
      ceiling: 'pg keyset page flatness',
      size: sizes,
      metric: 'p50 ratio, largest ÷ smallest',
      unit: '%',
      value: bare,
      how: '100 % = perfectly flat',
    });
    const a = first.result?.apiPage;
    const b = last.result?.apiPage;
    if (a && b) {
      ctx.rows.push({
        scenario: 'reading page for one patient (API)',
        size: sizes,
        metric: 'flatness: p50 largest ÷ smallest (100 % = flat)',
        unit: '%',
        value: (b.p50Ms / a.p50Ms) * 100,
        ceiling: bare,
      });
    }
  }
  return runs;
}

/** The same scenarios on embedded PGlite at the smallest size; rows marked "· PGlite". */
async function pglitePass(ctx: RunContext): Promise<{ runs: SizeRun[]; version: string }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'diabetify-bench-pglite-'));
  temporary.push(root);
  const db = await createPgliteDatabase(root);
  const rows = ctx.rows.length;
  const ceilings = ctx.ceilings.length;
  try {
    const sub: RunContext = { ...ctx, db, serverDataDir: root };
    const runs = await measureSizes(sub, ctx.opts.sizes.slice(0, 1), 'PGlite');
    await finalScenarios(sub);
    for (const r of ctx.rows.slice(rows)) {
      r.scenario += ' · PGlite';
      // architecture.md's budgets are stated for PostgreSQL; embedded mode is for small clinics.
      delete r.budget;
    }
    for (const c of ctx.ceilings.slice(ceilings)) c.ceiling += ' · PGlite';
    return { runs, version: sub.facts.version };
  } finally {
    await db.drop();
  }
}

async function run(ctx: RunContext, started: number): Promise<void> {
  const { opts } = ctx;
  const m: MachineInfo = ctx.machine;
  const runs = await measureSizes(ctx, opts.sizes, 'PostgreSQL');
  await finalScenarios(ctx);
  const postgres = ctx.facts.version;
  const pglite = opts.pglite ? await pglitePass(ctx) : null;
  ctx.rows.push(...pendingRows(ctx));

  const date = new Date();
  const title = `Diabetify benchmark — ${opts.profile} profile, ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const loads = (prefix: string, list: SizeRun[]) =>
    list.map((s): [string, string] => [
      `${prefix}${sizeText(s.info)}`,
      `${s.info.patients} patients; bulk insert ${seconds(s.loadMs)}, VACUUM ANALYZE ${seconds(s.vacuumMs)}`,
    ]);
  const report = renderReport({
    title,
    machine: [
      ['CPU', `${m.cpu}, ${m.cores} cores`],
      ['memory', m.memory],
      ['OS', m.os],
      ['Node.js', process.version],
      ['PostgreSQL', `${postgres} on ${describeServer(opts.databaseUrl)}`],
      ...(pglite ? [['PGlite', pglite.version] as [string, string]] : []),
      ['Redis', opts.redisUrl ? 'on (rate limits, revocation, events)' : 'off (single-instance mode)'],
      ['pinning', ctx.pinning.reason],
      [
        'before the run',
        `${m.busyBefore === null ? 'CPU use unknown' : `${(m.busyBefore * 100).toFixed(0)} % CPU busy`}, load average ${m.loadAverage.toFixed(2)} (1 min)`,
      ],
      ['commit', m.commit],
      [
        'phases',
        `${seconds(opts.warmupMs)} warm-up + ${seconds(opts.durationMs)} measured; ${opts.connections} connections (login ${opts.loginConnections}); server log level ${opts.logLevel}`,
      ],
      ['total run time', seconds(performance.now() - started)],
    ],
    data: [
      [
        'generator',
        `apps/api seed generators, seed ${opts.seed}, ${opts.days} days per patient, window ending ${opts.now.toISOString()}`,
      ],
      ...loads('', runs),
      ...loads('PGlite ', pglite?.runs ?? []),
      [
        'dedup keys',
        `the schema's own (${DEDUP_INDEXES.join(', ')}; migration 0004): (patient, device, sequence number, device time)`,
      ],
      ...ctx.data,
    ],
    rows: ctx.rows,
    ceilings: ctx.ceilings,
    warnings: [busyWarning(m), ...ctx.warnings].filter((w): w is string => w !== null),
  });
  process.stdout.write(`\n${report}\n`);
  const out = opts.out ?? path.join(BENCH_DIR, 'results', `${date.toISOString().slice(0, 10)}-${opts.profile}.md`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, report);
  process.stderr.write(`report written to ${out}\n`);
  if (opts.updateReadme) {
    const header = `${title}; ${m.cpu}, ${m.cores} cores; Node ${process.version}; full report: \`results/${path.basename(out)}\`.`;
    updateReadme(ctx.rows, header);
    process.stderr.write('bench/README.md updated\n');
  }
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  // Before pinning: afterwards this process sees only its own CPUs.
  const machine = await machineInfo();
  const pinning: Pinning = decidePinning(opts.pin);
  pinSelf(pinning);
  step(`throwaway database on ${describeServer(opts.databaseUrl)}`);
  const db: BenchDatabase = await createPostgresDatabase(opts.databaseUrl);
  const serverDataDir = mkdtempSync(path.join(os.tmpdir(), 'diabetify-bench-'));
  temporary.push(serverDataDir);
  const cleanup = async () => {
    await Promise.all([...liveChildren].map((c) => c.stop()));
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
    if (opts.keepDb) process.stderr.write(`kept database ${db.name}\n`);
    else await db.drop();
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping children and dropping ${db.name}\n`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx: RunContext = {
    opts,
    pinning,
    machine,
    db,
    // Set by measureSizes after the first load, before anything reads it.
    facts: {
      cgmPatientId: 0,
      cgmPatientDni: '',
      accounts: [],
      staff: { admin: '', clinician: '' },
      version: 'unknown',
    },
    serverDataDir,
    rows: [],
    ceilings: [],
    warnings: [],
    data: [],
    shared: {},
  };
  try {
    await run(ctx, started);
  } finally {
    if (!interrupted) await cleanup();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
