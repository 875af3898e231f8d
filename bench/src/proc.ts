/**
 * Child processes of a run and CPU pinning. With `taskset` (Linux), the measured process (a
 * server, or the worker running a bare ceiling) gets core 0 and this process — the load
 * generator — the others, so the two never steal each other's CPU. PostgreSQL is not pinned: it
 * serves both sides, as it would in production.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';

/** Children still running when the run is interrupted are stopped by the signal handler. */
export const liveChildren = new Set<Child>();

export interface Pinning {
  enabled: boolean;
  /** CPU list for the measured process (`taskset -c`). */
  server: string;
  /** CPU list for this process (load generation, data loading). */
  load: string;
  /** Why pinning is off, for the report. */
  reason: string;
}

export function decidePinning(wanted: boolean): Pinning {
  const cores = os.availableParallelism();
  const off = (reason: string): Pinning => ({ enabled: false, server: '', load: '', reason });
  if (!wanted) return off('disabled with --no-pin');
  if (cores < 2) return off('one CPU: server and load generator share it');
  const probe = spawnSync('taskset', ['-V'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return off('taskset not found');
  return {
    enabled: true,
    server: '0',
    load: cores === 2 ? '1' : `1-${cores - 1}`,
    reason: `server on CPU 0, load generator on CPU ${cores === 2 ? '1' : `1-${cores - 1}`}`,
  };
}

/** Moves this process (all its threads: -a) onto the load generator's CPUs. */
export function pinSelf(pinning: Pinning): void {
  if (!pinning.enabled) return;
  const r = spawnSync('taskset', ['-a', '-p', '-c', pinning.load, String(process.pid)], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`taskset could not pin the bench process to CPU ${pinning.load}`);
}

/** Only what a Node process needs; the children get their configuration explicitly. */
function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

function command(pinning: Pinning, script: string, args: string[]): [string, string[]] {
  const node = [process.execPath, script, ...args];
  return pinning.enabled ? ['taskset', ['-c', pinning.server, ...node]] : [node[0] as string, node.slice(1)];
}

export interface Child {
  proc: ChildProcess;
  /** The first JSON line the child printed (its ready message). */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Starts a pinned child that prints one JSON line when ready (servers: `{"url": …}`). stderr is
 * passed through so a crash is visible; a child that exits or stays silent for `timeoutMs` fails.
 */
export async function startChild(
  pinning: Pinning,
  script: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Child> {
  const [cmd, args] = command(pinning, script, []);
  const proc = spawn(cmd, args, { env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready after ${timeoutMs} ms`)), timeoutMs);
    proc.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before it was ready`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(new Error(`${script} printed "${line}" instead of its ready message`));
      }
    });
  }).catch((err: unknown) => {
    proc.kill('SIGKILL');
    throw err;
  });
  const child: Child = {
    proc,
    ready,
    async stop() {
      liveChildren.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  liveChildren.add(child);
  return child;
}

/**
 * Runs a pinned worker to completion; returns the JSON it printed last. The task travels in the
 * environment rather than argv so a database URL with a password does not show up in `ps`.
 */
export async function runWorker<T>(pinning: Pinning, script: string, task: unknown): Promise<T> {
  const [cmd, args] = command(pinning, script, []);
  const proc = spawn(cmd, args, {
    env: { ...baseEnv(), BENCH_TASK: JSON.stringify(task) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const handle: Child = { proc, ready: {}, stop: async () => void proc.kill('SIGTERM') };
  liveChildren.add(handle);
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  liveChildren.delete(handle);
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`${script} failed (exit ${code})`);
  return JSON.parse(last) as T;
}
