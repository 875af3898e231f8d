/**
 * CSV export of 1M readings: `GET /v1/patients/:id/readings/export?format=csv` as a clinician,
 * read as fast as this process can, while the server's RSS is sampled every 50 ms. The budget is
 * constant memory: peak RSS during the stream minus RSS just before it, on a fresh server where
 * only a one-day export has run (it loads the code path: what grows once per process is not what
 * grows per row). A tenth of the year is then measured the same way on another fresh server —
 * not on the same one, whose heap the big export has already grown: growth that does not depend
 * on the row count is the runtime's slack (heap growth, buffers), growth that scales is accumulation.
 */
import http from 'node:http';
import { MB, type RunContext, step } from '../context.js';
import { assertLoopback, fetchJson, processRssBytes } from '../http-load.js';
import type { ExportPatient } from '../platform-data.js';
import type { Child } from '../proc.js';
import { bearer, login, startApp } from './app.js';
import { pid, SETTLE_MS, type ServerStats, sleep, url } from './common.js';
import { BUDGETS, failed } from './platform-common.js';

export const EXPORT = 'CSV export of 1M readings';
export const EXPORT_ROUTE = '/v1/patients/:id/readings/export';
const SAMPLE_MS = 50;

/** The server's RSS: /proc when there is one, else the bench route (answered between chunks). */
async function rssOf(app: Child): Promise<number> {
  return processRssBytes(pid(app)) ?? (await fetchJson<ServerStats>(`${url(app)}/bench/stats`)).rss;
}

interface Download {
  bytes: number;
  lines: number;
  seconds: number;
  status: number;
}

/** Reads a response to the end, counting bytes and lines, keeping nothing. */
function download(target: string, headers: Record<string, string>): Promise<Download> {
  assertLoopback(target);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(target, { headers }, (res) => {
      let bytes = 0;
      let lines = 0;
      res.on('data', (b: Buffer) => {
        bytes += b.length;
        for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () =>
        resolve({ bytes, lines, seconds: (performance.now() - started) / 1000, status: res.statusCode ?? 0 }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface Streamed {
  before: number;
  peak: number;
  after: number;
  d: Download;
}

/** One export with the server's RSS sampled throughout; settles before and after. */
async function streamed(app: Child, target: string, token: string): Promise<Streamed> {
  await sleep(SETTLE_MS);
  const before = await rssOf(app);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssOf(app));
      await sleep(SAMPLE_MS);
    }
  })();
  const d = await download(target, bearer(token)).finally(() => {
    sampling = false;
  });
  await sampler;
  if (d.status !== 200) throw new Error(`the export answered HTTP ${d.status}`);
  await sleep(SETTLE_MS);
  return { before, peak, after: await rssOf(app), d };
}

const windowOf = (from: string, to: string) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

/** A fresh server, a one-day export to load the code path, then the measured export. */
async function onFreshServer(ctx: RunContext, data: ExportPatient, days: number): Promise<Streamed> {
  const app = await startApp(ctx);
  try {
    const token = await login(app, ctx.facts.staff.clinician);
    const base = `${url(app)}/v1/patients/${data.patientId}/readings/export?format=csv`;
    const toMs = Date.parse(data.to);
    const daysBefore = (n: number) => new Date(toMs - n * 86_400_000).toISOString();
    const small = await download(`${base}&${windowOf(daysBefore(1), data.to)}`, bearer(token));
    if (small.status !== 200) throw new Error(`the one-day export answered HTTP ${small.status}`);
    const from = days >= 365 ? data.from : daysBefore(days);
    return await streamed(app, `${base}&${windowOf(from, data.to)}`, token);
  } finally {
    await app.stop();
  }
}

export async function exportScenario(ctx: RunContext, data: ExportPatient): Promise<void> {
  const size = `${(data.readings / 1e6).toFixed(data.readings % 1e6 === 0 ? 0 : 2)}M`;
  try {
    step(`CSV export of ${data.readings.toLocaleString('en-US')} readings (fresh server, one-day export first)`);
    const full = await onFreshServer(ctx, data, 365);
    step('CSV export of a tenth of the year (another fresh server)');
    const tenth = await onFreshServer(ctx, data, 36.5);
    const rows = full.d.lines - 1; // the header line
    const complete =
      rows === data.readings
        ? ''
        : ` — ${rows.toLocaleString('en-US')} rows arrived, not ${data.readings.toLocaleString('en-US')}`;
    const mb = (n: number) => `${(n / MB).toFixed(0)} MB`;
    ctx.rows.push(
      {
        scenario: EXPORT,
        size,
        metric: 'RSS growth while streaming (peak − before)',
        unit: 'MB',
        value: (full.peak - full.before) / MB,
        ceiling: null,
        budget: BUDGETS.export,
        note: `server RSS ${mb(full.before)} before, ${mb(full.peak)} at peak, ${mb(full.after)} 2 s after; ${mb(full.d.bytes)} of CSV in ${full.d.seconds.toFixed(1)} s${complete}`,
      },
      {
        scenario: EXPORT,
        size: `${Math.round((tenth.d.lines - 1) / 1000)}k`,
        metric: 'RSS growth, a tenth of the year (constant memory: about the same)',
        unit: 'MB',
        value: (tenth.peak - tenth.before) / MB,
        ceiling: null,
        note: `server RSS ${mb(tenth.before)} before, ${mb(tenth.peak)} at peak`,
      },
      {
        scenario: EXPORT,
        size,
        metric: 'readings streamed per second',
        unit: 'readings/s',
        value: rows / full.d.seconds,
        ceiling: null,
      },
    );
  } catch (err) {
    ctx.rows.push(failed(EXPORT, size, 'RSS growth while streaming (peak − before)', 'MB', err, BUDGETS.export));
  }
}
