import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testConfig, testKeys } from '../test/build-test-app.js';
import { useTestApp } from '../test/use-test-app.js';
import { startServer } from './server.js';

const api = useTestApp({ app: false });

describe('graceful shutdown', () => {
  it('finishes the in-flight request, refuses new ones, then exits 0', async () => {
    const exits: number[] = [];
    let release!: () => void;
    const slowStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startServer(testConfig({ PORT: '0' }), {
      db: api.db,
      keys: await testKeys(),
      signals: ['SIGUSR2'],
      exit: (code) => exits.push(code),
      beforeListen: (app) => {
        app.get(
          '/slow',
          { schema: { response: { 200: { type: 'object', properties: { done: { type: 'boolean' } } } } } },
          async () => {
            release();
            await new Promise((r) => setTimeout(r, 400));
            return { done: true };
          },
        );
      },
    });
    const inFlight = fetch(`${server.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await slowStarted;
    process.emit('SIGUSR2', 'SIGUSR2');
    // Give close() a moment to stop the listener, then try a new connection.
    await new Promise((r) => setTimeout(r, 50));
    const late = await fetch(`${server.url}/health/live`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    expect(['refused', 503]).toContain(late);
    await server.shutdown('test'); // same promise as the signal's: resolves once closed
    await new Promise((r) => setTimeout(r, 10));
    expect(exits).toEqual([0]);
    expect(server.app.server.listening).toBe(false);
  });
});

const apiRoot = fileURLToPath(new URL('..', import.meta.url));

function waitForLine(child: ChildProcess, pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms:\n${buffer}`)), ms);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
  });
}

describe('the diabetify command', () => {
  it('serve: starts on a fresh embedded database, is ready, and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'diabetify-serve-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(apiRoot, 'src/cli.ts'), 'serve'], {
      cwd: apiRoot,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_PRETTY: 'false',
        // The first-start demo seed has its own tests (db/seed/demo.test.ts); here it would only add time.
        DEMO_SEED_ON_FIRST_START: 'false',
        DATABASE_URL: '',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      // A bound on waiting, not a timing assertion: tsx compiles the CLI and PGlite creates and migrates
      // a database first, which takes far longer on a loaded machine.
      const line = await waitForLine(child, /Diabetify listening/, 60_000);
      const { url, database } = JSON.parse(line) as { url: string; database: string };
      expect(database).toBe('pglite');
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);

  it('version prints the package version; an unknown command exits 2 with usage', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(apiRoot, 'src/cli.ts'), ...args], {
          cwd: apiRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c));
        child.stderr.on('data', (c: Buffer) => (out += c));
        child.on('exit', (code) => resolve({ code, out }));
      });
    expect(await run(['version'])).toMatchObject({ code: 0, out: expect.stringMatching(/^diabetify \d+\.\d+\.\d+/) });
    expect(await run(['frobnicate'])).toMatchObject({ code: 2, out: expect.stringContaining('Usage: diabetify') });
  });

  it('migrate: exits non-zero when the database is unreachable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(apiRoot, 'src/cli.ts'), 'migrate'], {
      cwd: apiRoot,
      env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nope', DB_CONNECT_TIMEOUT_MS: '300' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
  });
});
