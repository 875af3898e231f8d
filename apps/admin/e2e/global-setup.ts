/**
 * Once per browser-suite run: make sure both builds exist, seed a fresh embedded database with the
 * project's own seed command, start the compiled server on a free port and hand its address to the
 * tests (`inject('e2e')`); stop it at the end.
 *
 * The server runs as `node apps/api/dist/cli.js serve`, exactly as `npm start` runs it, with a 20 s
 * access-token lifetime (so a test can watch a token expire) and no SMTP: mail lands as .eml files
 * in DATA_DIR/mail, where the tests read the reset links.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = path.join(REPO, 'apps/api/dist/cli.js');
const ADMIN_INDEX = path.join(REPO, 'apps/admin/dist/index.html');

export const DEMO_PASSWORD = 'Demo-Diabetify-2026';
export const ACCESS_TOKEN_TTL_SECONDS = 20;

export type StaffRole = 'admin' | 'clinician' | 'assistant';

export interface E2eContext {
  baseUrl: string;
  dataDir: string;
  password: string;
  /** Staff usernames by role, as the seed command printed them (in its order). */
  staff: Record<StaffRole, string[]>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const res = spawnSync(cmd, args, { cwd: REPO, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
  }
  return `${res.stdout}\n${res.stderr}`;
}

/** `npm run test:e2e` builds first; a direct `vitest --config …` run still gets both builds. */
function ensureBuilt(): void {
  if (!existsSync(CLI)) run('npx', ['tsc', '-b', 'apps/api'], process.env);
  // Content-hash check: a no-op when apps/admin/dist matches the sources.
  run(process.execPath, ['scripts/build-admin.mjs'], process.env);
  if (!existsSync(ADMIN_INDEX)) throw new Error('apps/admin/dist/index.html is missing after the build');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `back-office staff (…): admin: a; clinician: b, c; assistant: d` → usernames by role. */
export function parseStaffLine(output: string): Record<StaffRole, string[]> {
  const line = output.split('\n').find((l) => l.startsWith('back-office staff'));
  if (!line) throw new Error(`the seed command printed no staff line:\n${output}`);
  const staff: Record<StaffRole, string[]> = { admin: [], clinician: [], assistant: [] };
  for (const part of line.slice(line.indexOf('): ') + 3).split(';')) {
    const [role, names] = part.split(':').map((s) => s.trim());
    if (role === 'admin' || role === 'clinician' || role === 'assistant') {
      staff[role] = (names ?? '').split(',').map((s) => s.trim());
    }
  }
  return staff;
}

async function waitReady(baseUrl: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}; see ${logFile}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server was not ready within 180 s; see ${logFile}`);
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  ensureBuilt();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'diabetify-e2e-'));
  const port = await freePort();
  // localhost, not 127.0.0.1: the links the server mails use PUBLIC_WEB_ORIGIN, and the browser
  // must stay on one origin for the SameSite=Strict refresh cookie.
  const baseUrl = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    PUBLIC_WEB_ORIGIN: baseUrl,
    DATABASE_URL: '',
    REDIS_URL: '',
    SMTP_URL: '',
    ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TOKEN_TTL_SECONDS),
    // Seeded below by the seed command itself; the first-start seed would be a second path.
    DEMO_SEED_ON_FIRST_START: 'false',
    // One browser from one address makes many requests; the limits are not under test here.
    RATE_LIMIT_MAX: '100000',
    // The suite signs in (browser and API helpers) far more often than one person: on a quick
    // machine it passed the per-address sign-in limit (100/min) and later sign-ins were refused.
    LOGIN_MAX_PER_IP_PER_MIN: '100000',
    LOG_PRETTY: 'false',
    LOG_LEVEL: 'info',
  };
  // Deterministic demo clinic: seed 42, 12 patients × 30 days, the first CGM patient with 90 days.
  const seedOutput = run(
    process.execPath,
    [CLI, 'seed', '--seed', '42', '--patients', '12', '--days', '30', '--first-cgm-days', '90'],
    env,
  );
  const staff = parseStaffLine(seedOutput);

  const logFile = path.join(dataDir, 'server.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await waitReady(baseUrl, child, logFile);
  process.stderr.write(
    `e2e: server ${baseUrl} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${logFile})\n`,
  );

  project.provide('e2e', { baseUrl, dataDir, password: DEMO_PASSWORD, staff });

  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    if (process.env.E2E_KEEP_DATA !== '1') rmSync(dataDir, { recursive: true, force: true });
  };
}
