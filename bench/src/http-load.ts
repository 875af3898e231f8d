/**
 * HTTP load with autocannon (programmatic), over loopback only, bounded in time. autocannon's
 * own histogram keeps whole milliseconds, too coarse for sub-millisecond no-op routes, so every
 * response time it reports is also recorded here at full resolution.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { openLoop, Samples, type Summary } from './samples.js';

export interface HttpLoadOptions {
  url: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** Requests each connection cycles through (default: GET of `url`). */
  requests?: autocannon.Request[];
  headers?: Record<string, string>;
  /** The server's pid, to report how busy its CPU was (Linux /proc). */
  serverPid?: number;
  /** Called when warm-up is over and the measured window starts. */
  onMeasureStart?: () => void;
}

export interface HttpSummary extends Summary {
  non2xx: number;
  /** Share of one CPU the server used during the measured window; null when unknown. */
  serverCpu: number | null;
  /**
   * Server CPU time per successful request (ms), from /proc: unlike 1 ÷ req/s it stays right
   * when the server was not the bottleneck (a busy machine, a slow load generator).
   */
  serverCpuMsPerRequest: number | null;
  /** Share of one CPU this process (the load generator) used. */
  loadCpu: number;
}

export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`load is only ever sent over loopback, not to ${host}`);
  }
}

/** CPU seconds (user + system, all threads) a process has used, from /proc; null elsewhere. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return ticks / 100; // USER_HZ is 100 on every Linux architecture Node supports
  } catch {
    return null;
  }
}

/** Resident set size of a process (VmRSS, bytes), from /proc; null elsewhere. */
export function processRssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function run(o: HttpLoadOptions, seconds: number, samples: Samples | null): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: seconds,
        timeout: 10,
        ...(o.headers ? { headers: o.headers } : {}),
        ...(o.requests ? { requests: o.requests } : {}),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (samples) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) samples.add(responseTime);
      });
    }
  });
}

export async function httpLoad(o: HttpLoadOptions): Promise<HttpSummary> {
  assertLoopback(o.url);
  if (o.warmupMs > 0) await run(o, o.warmupMs / 1000, null);
  o.onMeasureStart?.();
  const samples = new Samples();
  const serverBefore = o.serverPid ? processCpuSeconds(o.serverPid) : null;
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  const result = await run(o, o.durationMs / 1000, samples);
  const seconds = (performance.now() - started) / 1000;
  const self = process.cpuUsage(selfBefore);
  const serverAfter = o.serverPid ? processCpuSeconds(o.serverPid) : null;
  samples.errors = result.errors + result.timeouts;
  const cpu = serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null;
  return {
    ...samples.summary(seconds),
    non2xx: result.non2xx,
    serverCpu: cpu === null ? null : cpu / seconds,
    serverCpuMsPerRequest: cpu === null || samples.count === 0 ? null : (cpu * 1000) / samples.count,
    loadCpu: (self.user + self.system) / 1e6 / seconds,
  };
}

/**
 * Probes a cheap route every `intervalMs` on its own connection while a load phase runs: how long
 * an unrelated request waits tells whether the event loop stayed responsive.
 */
export function probe(url: string, intervalMs: number): { stop(): Promise<Summary> } {
  assertLoopback(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples = new Samples();
  const started = performance.now();
  let running = true;
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) samples.add(performance.now() - t0);
          else samples.errors++;
          resolve();
        });
      });
      req.on('error', () => {
        samples.errors++;
        resolve();
      });
    });
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await once();
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (performance.now() - t0))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return samples.summary((performance.now() - started) / 1000);
    },
  };
}

/** One JSON request outside any measurement (sign-in, setup, stats). */
export async function fetchJson<T>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  assertLoopback(url);
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (!res.ok)
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Answer {
  status: number;
  body: string;
}

/**
 * One request on a keep-alive agent, body read whole: the building block of the load shapes that
 * autocannon does not have (open loop from scheduled starts, callers that each own a device,
 * a thousand patients at once). Rejects only on network errors; any status is an answer.
 */
export function send(
  agent: http.Agent,
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        agent,
        method: o.method ?? 'GET',
        headers: {
          ...(o.body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(o.body) }),
          ...o.headers,
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

export interface OpenLoopHttpOptions {
  /** Path of the i-th request, appended to `base`. */
  path: (i: number) => string;
  base: string;
  headers: Record<string, string>;
  rate: number;
  durationMs: number;
  maxInFlight: number;
  serverPid?: number;
}

/**
 * GETs at a fixed arrival rate (samples.ts `openLoop`: latency from the scheduled start, so a
 * stalled server shows in the percentiles instead of lowering the offered rate). A non-2xx answer
 * counts as an error, not as a sample.
 */
export async function openLoopHttp(o: OpenLoopHttpOptions): Promise<HttpSummary> {
  assertLoopback(o.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxInFlight });
  let non2xx = 0;
  const serverBefore = o.serverPid ? processCpuSeconds(o.serverPid) : null;
  const selfBefore = process.cpuUsage();
  try {
    const s = await openLoop(
      async (i) => {
        const a = await send(agent, `${o.base}${o.path(i)}`, { headers: o.headers });
        if (a.status < 200 || a.status >= 300) {
          non2xx++;
          throw new Error(`HTTP ${a.status}`);
        }
      },
      { rate: o.rate, durationMs: o.durationMs, maxInFlight: o.maxInFlight },
    );
    const self = process.cpuUsage(selfBefore);
    const serverAfter = o.serverPid ? processCpuSeconds(o.serverPid) : null;
    const cpu = serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null;
    return {
      ...s,
      non2xx,
      serverCpu: cpu === null ? null : cpu / s.seconds,
      serverCpuMsPerRequest: cpu === null || s.count === 0 ? null : (cpu * 1000) / s.count,
      loadCpu: (self.user + self.system) / 1e6 / s.seconds,
    };
  } finally {
    agent.destroy();
  }
}
