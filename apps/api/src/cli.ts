#!/usr/bin/env node
/**
 * The `diabetify` command: serve, migrate, seed, create-admin, legacy (seed-demo, import), version.
 * Exit codes: 0 success, 1 failure, 2 usage or configuration error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { type Config, ConfigError, loadConfig, takeAdminPasswordFromEnv } from './config/index.js';
import { openDatabase } from './db/client.js';
import { DEMO_PASSWORD, DEMO_SEED, staffAccountsLine } from './db/seed/demo.js';
import { generateStaff, type SeedOptions, type SeedResult, seedDemoClinic } from './db/seed/index.js';
import { systemClock } from './lib/clock.js';
import { AuditService } from './modules/audit/audit.service.js';
import { hashPassword } from './modules/auth/auth.passwords.js';
import { adminInputProblems, BootstrapError, createAdminAccount } from './modules/staff/staff.bootstrap.js';
import { startServer } from './server.js';
import { LEGACY_USAGE, legacyCommand } from './tools/legacy-import/cli.js';

const USAGE = `Usage: diabetify <command> [options]

Commands:
  serve                         start the HTTP server (default)
  migrate                       apply database migrations and exit
  seed [--patients N] [--days D] [--seed S] [--first-cgm-days D] [--no-login]
                                create a demo clinic: staff, patients, CGM and meter readings;
                                accounts sign in with the demo password unless --no-login
  create-admin --username U --email E [--name N]
                                create an admin account; the password is read from
                                DIABETIFY_ADMIN_PASSWORD or standard input, never from arguments
${LEGACY_USAGE}
  version                       print the version

Configuration comes from the environment; see .env.example.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError([`--${name} must be a positive integer`]);
  return n;
}

function seedSummary(database: string, options: SeedOptions, result: SeedResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = result.ms > 0 ? Math.round((result.readings * 1000) / result.ms) : 0;
  const existing = options.patients - result.patients;
  return (
    `seed ${options.seed} (${database}): ${n(result.staff)} staff, ${n(result.patients)} patients, ` +
    `${n(result.readings)} readings over ${options.days} days in ${(result.ms / 1000).toFixed(1)} s ` +
    `(${n(rate)} readings/s)${existing > 0 ? `; ${n(existing)} patients of this seed already existed` : ''}`
  );
}

async function migrate(config: Config): Promise<void> {
  const log = pino({ level: config.log.level });
  const handle = await openDatabase(config, log);
  try {
    const started = performance.now();
    await handle.migrate();
    log.info({ database: handle.kind, ms: Math.round(performance.now() - started) }, 'migrations applied');
  } finally {
    await handle.close();
  }
}

/** A secret from standard input: typed without echo on a terminal, else the first line of the pipe. */
async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let data = '';
    for await (const chunk of stdin) data += String(chunk);
    return data.split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    function onData(chunk: string) {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new ConfigError(['cancelled']));
          return;
        }
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    }
    stdin.on('data', onData);
  });
}

/** `create-admin`: a new admin account. The password never comes from argv (shell history, `ps`). */
async function createAdmin(config: Config, args: string[]): Promise<number> {
  if (args.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new ConfigError([
      'the password is read from DIABETIFY_ADMIN_PASSWORD or standard input, never from arguments',
    ]);
  }
  let values: { username?: string; email?: string; name?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { username: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } },
    }));
  } catch (err) {
    throw new ConfigError([err instanceof Error ? err.message : String(err)]);
  }
  if (!values.username || !values.email) throw new ConfigError(['create-admin needs --username and --email']);
  const password = takeAdminPasswordFromEnv() ?? (await readSecret('Password for the new admin: '));
  if (!password) throw new ConfigError(['no password given (DIABETIFY_ADMIN_PASSWORD or standard input)']);
  const input = { username: values.username, email: values.email, name: values.name, password };
  const problems = adminInputProblems(input, config.identity.passwordMinLength.staff);
  if (problems.length > 0) {
    process.stderr.write(`create-admin: ${problems.join('; ')}\n`);
    return 1;
  }
  const handle = await openDatabase(config);
  try {
    await handle.migrate();
    const audit = new AuditService(handle.db, systemClock, config.audit.chainShards);
    const id = await createAdminAccount(
      { db: handle.db, audit, clock: systemClock },
      input,
      config.identity.passwordMinLength.staff,
    );
    process.stdout.write(`created admin ${values.username.trim().toLowerCase()} (staff id ${id})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof BootstrapError)) throw err;
    process.stderr.write(`create-admin: ${err.message}\n`);
    return 1;
  } finally {
    await handle.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === 'version' || command === '--version') {
    process.stdout.write(`diabetify ${version()}\n`);
    return 0;
  }
  if (command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      await startServer(config);
      return -1; // keep running; the signal handler exits
    case 'migrate':
      await migrate(config);
      return 0;
    case 'seed': {
      const { values } = parseArgs({
        args: rest,
        options: {
          patients: { type: 'string' },
          days: { type: 'string' },
          seed: { type: 'string' },
          'first-cgm-days': { type: 'string' },
          'no-login': { type: 'boolean' },
        },
      });
      // Demo data with a shared, documented password: never in production.
      if (config.isProduction) throw new ConfigError(['seed is refused when NODE_ENV=production']);
      const options = {
        patients: positiveInt(values.patients, 20, 'patients'),
        days: positiveInt(values.days, 14, 'days'),
        seed: positiveInt(values.seed, DEMO_SEED, 'seed'),
        ...(values['first-cgm-days']
          ? { firstCgmDays: positiveInt(values['first-cgm-days'], 0, 'first-cgm-days') }
          : {}),
        progress: process.stderr.isTTY,
        timezone: config.clinic.timezone,
        ...(values['no-login'] ? {} : { passwordHash: await hashPassword(DEMO_PASSWORD) }),
      };
      const handle = await openDatabase(config);
      try {
        await handle.migrate();
        const result = await seedDemoClinic(handle, options);
        process.stderr.write(`${seedSummary(handle.kind, options, result)}\n`);
        if (options.passwordHash && result.staff + result.patients > 0) {
          process.stderr.write(`demo sign-in: any seeded staff username or patient DNI, password "${DEMO_PASSWORD}"\n`);
        }
        if (options.passwordHash) {
          // Who can sign in to the back-office at PUBLIC_WEB_ORIGIN/admin/ (patients use the app).
          const staffList = staffAccountsLine(generateStaff(options.seed));
          process.stderr.write(`back-office staff (${config.http.publicWebOrigin}/admin/): ${staffList}\n`);
        }
      } finally {
        await handle.close();
      }
      return 0;
    }
    case 'create-admin':
      return createAdmin(config, rest);
    case 'legacy':
      return legacyCommand(config, rest);
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`diabetify: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
