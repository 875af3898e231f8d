/**
 * `diabetify legacy <seed-demo|import>`: the command-line side of the legacy tooling. The import
 * opens one node-postgres client per distinct source URL, read-only at the session level (the old
 * databases are never written), and the platform's configured database as the target.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { type Config, ConfigError } from '../../config/index.js';
import { openDatabase } from '../../db/client.js';
import { systemClock } from '../../lib/clock.js';
import { AuditService } from '../../modules/audit/audit.service.js';
import {
  LEGACY_DEMO_ADMIN,
  LEGACY_DEMO_PATIENTS,
  LegacyDemoRefusedError,
  seedLegacyDemo,
} from '../../modules/legacy/legacy.seed-demo.js';
import { type ImportProgress, importLegacy, LegacyImportError } from './importer.js';
import { formatReport, type LegacyTable } from './report.js';
import { pgSource } from './source.js';

export const LEGACY_USAGE = `  legacy seed-demo              create the old development accounts (patients 40123456, 40123457,
                                1000, 1001 blocked, 1002; back-office admin/admin); refused in production
  legacy import --login-db URL --glucose-db URL --appointments-db URL
                [--source-timezone ZONE] [--chunk-size N]
                                copy the old databases (postgres://…; the three may be the same) into
                                this one; idempotent and resumable; prints a reconciliation report`;

function fail(message: string): never {
  throw new ConfigError([message]);
}

async function seedDemo(config: Config): Promise<number> {
  if (config.isProduction) {
    process.stderr.write('legacy seed-demo: refused when NODE_ENV=production (public demo passwords)\n');
    return 2;
  }
  const handle = await openDatabase(config);
  try {
    await handle.migrate();
    const audit = new AuditService(handle.db, systemClock, config.audit.chainShards);
    const result = await seedLegacyDemo(handle.db, { clock: systemClock, production: config.isProduction, audit });
    for (const name of result.created) process.stdout.write(`created  ${name}\n`);
    for (const name of result.existing) process.stdout.write(`existing ${name} (left unchanged)\n`);
    const list = LEGACY_DEMO_PATIENTS.map((p) => `${p.dni}/${p.password}${p.blocked ? ' (blocked)' : ''}`).join(', ');
    process.stderr.write(
      `legacy demo sign-in: patients ${list}; staff ${LEGACY_DEMO_ADMIN.username}/${LEGACY_DEMO_ADMIN.password}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof LegacyDemoRefusedError)) throw err;
    process.stderr.write(`legacy seed-demo: ${err.message}\n`);
    return 2;
  } finally {
    await handle.close();
  }
}

/** A bar on a terminal, one line per step and per 10 % otherwise (logs, CI). */
function progressReporter(): ImportProgress {
  if (process.stderr.isTTY) {
    let bar: cliProgress.SingleBar | null = null;
    return {
      start(table, total) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${table.padEnd(22)} |{bar}| {value}/{total} rows | ETA {eta_formatted}` },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      },
      advance: (rows) => bar?.increment(rows),
      stop() {
        bar?.stop();
        bar = null;
      },
    };
  }
  let table: LegacyTable | null = null;
  let total = 0;
  let done = 0;
  let nextMark = 0;
  return {
    start(t, n) {
      [table, total, done, nextMark] = [t, n, 0, n / 10];
      process.stderr.write(`legacy import: ${t}: ${n} source rows\n`);
    },
    advance(rows) {
      done += rows;
      if (done >= nextMark && done < total) {
        process.stderr.write(`legacy import: ${table}: ${done}/${total}\n`);
        nextMark = done + total / 10;
      }
    },
    stop() {
      if (table) process.stderr.write(`legacy import: ${table}: done (${done} rows read)\n`);
      table = null;
    },
  };
}

async function runImport(config: Config, args: string[]): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'login-db': { type: 'string' },
        'glucose-db': { type: 'string' },
        'appointments-db': { type: 'string' },
        'source-timezone': { type: 'string' },
        'chunk-size': { type: 'string' },
      },
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const urls = { login: values['login-db'], glucose: values['glucose-db'], appointments: values['appointments-db'] };
  for (const [name, url] of Object.entries(urls)) {
    if (!url) fail(`legacy import needs --${name}-db URL`);
    if (!/^postgres(ql)?:\/\//.test(url)) fail(`--${name}-db must be a postgres:// URL`);
  }
  const chunk = values['chunk-size'] === undefined ? 1000 : Number(values['chunk-size']);
  if (!Number.isSafeInteger(chunk) || chunk < 1 || chunk > 50_000) fail('--chunk-size must be 1–50000');

  const clients = new Map<string, pg.Client>();
  const handle = await openDatabase(config);
  try {
    for (const url of new Set(Object.values(urls) as string[])) {
      const client = new pg.Client({ connectionString: url, options: '-c default_transaction_read_only=on' });
      client.on('error', () => {}); // a dropped source connection surfaces on the next query
      await client.connect();
      clients.set(url, client);
    }
    const source = (url: string | undefined) => pgSource(clients.get(url as string) as pg.Client);
    await handle.migrate();
    const report = await importLegacy(
      handle.db,
      { login: source(urls.login), glucose: source(urls.glucose), appointments: source(urls.appointments) },
      {
        clock: systemClock,
        chunkSize: chunk,
        ...(values['source-timezone'] ? { sourceTimezone: values['source-timezone'] } : {}),
        audit: new AuditService(handle.db, systemClock, config.audit.chainShards),
        progress: progressReporter(),
      },
    );
    process.stdout.write(`${formatReport(report)}\n`);
    return report.unexplained === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof LegacyImportError) fail(`legacy import: ${err.message}`);
    throw err;
  } finally {
    for (const c of clients.values()) await c.end().catch(() => {});
    await handle.close();
  }
}

export async function legacyCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'seed-demo') return seedDemo(config);
  if (sub === 'import') return runImport(config, rest);
  process.stderr.write(`Usage:\n${LEGACY_USAGE}\n`);
  return 2;
}
