/** What the numbers were measured on: enough to tell two runs' machines apart. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  /** Every CPU of the machine (not only those this process may use). */
  cores: number;
  memory: string;
  os: string;
  /** 1-minute load average before the run. */
  loadAverage: number;
  /** Share of all CPUs busy during one second before the run (Linux), else null. */
  busyBefore: number | null;
  commit: string;
}

function git(args: string[]): string | null {
  const r = spawnSync('git', args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function commit(): string {
  const sha = git(['rev-parse', '--short', 'HEAD']);
  if (!sha) return 'unknown (not a git checkout)';
  const dirty = (git(['status', '--porcelain', '--untracked-files=no']) ?? '').length > 0;
  return dirty ? `${sha} + uncommitted changes` : sha;
}

/** Busy and total jiffies of all CPUs, from the first line of /proc/stat. */
function cpuTimes(): { busy: number; total: number } | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * How busy the machine is right now: the load average lags by minutes (and counts the build that
 * just ran), so one second of /proc/stat is the better signal where it exists.
 */
async function busyShare(): Promise<number | null> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, 1000));
  const b = cpuTimes();
  if (!a || !b || b.total === a.total) return null;
  return (b.busy - a.busy) / (b.total - a.total);
}

/** Call before pinning this process: afterwards it sees only its own CPUs. */
export async function machineInfo(): Promise<MachineInfo> {
  const cpus = os.cpus();
  return {
    busyBefore: await busyShare(),
    cpu: cpus[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU',
    cores: cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    loadAverage: os.loadavg()[0] ?? 0,
    commit: commit(),
  };
}

/** Busier than this before the run (or, without /proc/stat, a load average above half the cores). */
const BUSY = 0.15;

/** Something else using the CPU makes every number noisy: the report says so at the top. */
export function busyWarning(m: MachineInfo): string | null {
  const busy = m.busyBefore === null ? m.loadAverage > 0.5 * m.cores : m.busyBefore > BUSY;
  if (!busy) return null;
  const what =
    m.busyBefore === null
      ? `1-minute load average ${m.loadAverage.toFixed(2)} on ${m.cores} cores`
      : `${(m.busyBefore * 100).toFixed(0)} % of the CPUs busy in the second before it started`;
  return `The machine was busy before the run (${what}): these numbers are noisy; re-run on a quiet machine before quoting them.`;
}
