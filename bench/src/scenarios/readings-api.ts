/**
 * The readings capability through the real server, next to the bare ceilings of the same size:
 *
 * - reading page: `GET /v1/patients/:id/readings?limit=50&cursor=…` with the CGM patient's own
 *   token, random cursors of that patient (as the bare keyset ceiling draws them), closed loop
 *   at the run's connections and open loop at the page rate (latency from the scheduled start);
 * - batch sync: `POST /v1/readings/batch` with 1,000 readings, 10 % of them repeating the previous
 *   batch, one device API key per synthetic patient, as many devices in flight as the ceiling.
 */
import http from 'node:http';
import { deriveSeed, Rng, type SeedReading } from '@diabetify/api/dist/db/seed/generate.js';
import { encodeCursor } from '@diabetify/api/dist/lib/cursor.js';
import type autocannon from 'autocannon';
import { type RunContext, step } from '../context.js';
import { TIMEZONE } from '../database.js';
import { fetchJson, type HttpSummary, openLoopHttp, processCpuSeconds, send } from '../http-load.js';
import type { Child } from '../proc.js';
import { Samples, type Summary } from '../samples.js';
import { batchSource, syncPeople } from '../sync-source.js';
import type { DbResult } from '../tasks.js';
import { bearer } from './app.js';
import { cpuNote, errorNote, load, pid, url } from './common.js';
import { BUDGETS, nextBenchDni } from './platform-common.js';

const PAGE = 'reading page for one patient (API)';
const SYNC = 'batch sync of 1,000 readings (10 % duplicates)';
/** Another stream than the ceiling's devices: other people, other device ids. */
const API_SYNC_STREAM = 0x41504953; // "APIS"
/** The largest page the API serves: the walk that collects cursors takes few requests. */
const WALK_LIMIT = 500;

interface PageItem {
  id: number;
  measuredAt: string;
}

/**
 * Every cursor of the patient. The API's cursors are opaque; to draw random positions like the
 * bare ceiling, the walk checks that the platform's own encoder applied to a page's last reading
 * gives exactly the `nextCursor` the server sent — then any reading can be a position. If the
 * format ever changes, the walk falls back to the cursors it was given (one per 500 readings).
 */
async function cursors(app: Child, path: string, token: string): Promise<{ list: string[]; derived: boolean }> {
  const keys: [number, number][] = [];
  const given: string[] = [];
  let derived = true;
  let cursor: string | null = null;
  do {
    const query: string = `limit=${WALK_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: { data: PageItem[]; nextCursor: string | null } = await fetchJson(`${url(app)}${path}?${query}`, {
      headers: bearer(token),
    });
    for (const r of page.data) keys.push([Date.parse(r.measuredAt) * 1000, r.id]);
    const last = page.data.at(-1);
    if (page.nextCursor) {
      given.push(page.nextCursor);
      if (!last || encodeCursor([Date.parse(last.measuredAt) * 1000, last.id]) !== page.nextCursor) derived = false;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return derived ? { list: keys.map((k) => encodeCursor(k)), derived } : { list: given, derived };
}

export interface PageApiResult {
  closed: HttpSummary;
  atRate: HttpSummary;
}

export async function pageScenario(
  ctx: RunContext,
  app: Child,
  token: string,
  label: string,
  r: DbResult,
): Promise<PageApiResult> {
  const path = `/v1/patients/${ctx.facts.cgmPatientId}/readings`;
  step(`API reading pages at ${label}: collecting cursors`);
  const { list, derived } = await cursors(app, path, token);
  if (list.length === 0) throw new Error(`the API lists no readings of patient ${ctx.facts.cgmPatientId}`);
  const rng = new Rng(deriveSeed(ctx.opts.seed, 0x50414745)); // "PAGE": the ceiling's cursor stream
  const next = () => `${path}?limit=50&cursor=${encodeURIComponent(list[rng.int(0, list.length - 1)] as string)}`;
  const auth = bearer(token);
  step(`API reading page, ${ctx.opts.connections} connections`);
  const request: autocannon.Request = {
    method: 'GET',
    path,
    setupRequest: (req) => ({ ...req, path: next(), headers: { ...req.headers, ...auth } }),
  };
  const closed = await load(ctx, app, path, { requests: [request] });
  step(`API reading page at ${ctx.opts.pageRate}/s`);
  const atRate = await openLoopHttp({
    base: url(app),
    path: next,
    headers: auth,
    rate: ctx.opts.pageRate,
    durationMs: ctx.opts.durationMs / 2,
    maxInFlight: ctx.opts.connections * 10,
    serverPid: pid(app),
  });
  const notes = [
    cpuNote(ctx, `API reading page at ${label}`, closed) ?? errorNote('API reading page', closed),
    atRate.errors > 0
      ? `at ${ctx.opts.pageRate}/s, ${atRate.errors} arrivals got no 2xx answer (${atRate.non2xx} error answers, the rest dropped above ${ctx.opts.connections * 10} in flight): the p99 is of the answered ones`
      : undefined,
    derived ? undefined : `random cursors limited to the ${list.length} the API handed out (its cursor format changed)`,
    r.patientReadings === list.length || !derived
      ? undefined
      : `the API lists ${list.length.toLocaleString('en-US')} readings, the table ${r.patientReadings.toLocaleString('en-US')}`,
  ].filter((n): n is string => n !== undefined);
  const note = notes.length > 0 ? { note: notes.join('; ') } : {};
  ctx.rows.push(
    {
      scenario: PAGE,
      size: label,
      metric: `throughput, ${ctx.opts.connections} connections`,
      unit: 'req/s',
      value: closed.perSecond,
      ceiling: r.page?.perSecond ?? null,
      ...note,
    },
    {
      scenario: PAGE,
      size: label,
      metric: `p50 latency, ${ctx.opts.connections} connections`,
      unit: 'ms',
      value: closed.p50Ms,
      ceiling: r.page?.p50Ms ?? null,
    },
    {
      scenario: PAGE,
      size: label,
      metric: `p99 at ${ctx.opts.pageRate} req/s`,
      unit: 'ms',
      value: atRate.p99Ms,
      ceiling: r.pageAtRate?.p99Ms ?? null,
      budget: BUDGETS.page,
    },
  );
  return { closed, atRate };
}

/** A device's reading as the batch body carries it. */
const item = (r: SeedReading) => ({
  valueMgDl: r.valueMgDl,
  measuredAt: r.measuredAt.toISOString(),
  context: r.context,
  source: r.source,
  deviceId: r.deviceId,
  sequenceNumber: r.sequenceNumber,
  sampleType: 'interstitial_fluid',
});

interface Device {
  key: string;
  patientId: number;
  source: ReturnType<typeof batchSource>;
}

/** Synthetic patients created by the admin through the API, each with a device API key. */
async function devices(ctx: RunContext, app: Child, adminToken: string, count: number): Promise<Device[]> {
  const out: Device[] = [];
  const auth = bearer(adminToken);
  for (const [i, p] of syncPeople(ctx.opts.seed, API_SYNC_STREAM, TIMEZONE, count).entries()) {
    const dni = nextBenchDni('sync');
    const patient = await fetchJson<{ id: number }>(`${url(app)}/v1/patients`, {
      method: 'POST',
      headers: auth,
      body: { dni, email: `bench-${dni}@bench.example`, name: p.name, surname: p.surname, timezone: TIMEZONE },
    });
    const key = await fetchJson<{ key: string }>(`${url(app)}/v1/patients/${patient.id}/api-keys`, {
      method: 'POST',
      headers: auth,
      body: { name: `Bench CGM ${i + 1}` },
    });
    out.push({
      key: key.key,
      patientId: patient.id,
      source: batchSource(p, ctx.opts.now.toISOString(), 1000, 0.1),
    });
  }
  return out;
}

interface BatchAnswer {
  created: number;
  duplicates: number;
  invalid: number;
}

/** Returns the synthetic patients' ids: the caller removes their readings when the table must shrink back. */
export async function syncScenario(
  ctx: RunContext,
  app: Child,
  adminToken: string,
  label: string,
  r: DbResult,
): Promise<number[]> {
  const concurrency = 4;
  step(`API batch sync at ${label}: ${concurrency} devices, 1,000 readings per batch, 10 % repeated`);
  const list = await devices(ctx, app, adminToken, concurrency);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const samples = new Samples();
  const totals = { offered: 0, created: 0, duplicates: 0, invalid: 0 };
  const warmEnd = performance.now() + ctx.opts.warmupMs;
  const end = warmEnd + ctx.opts.durationMs / 2;
  let cpuAtWarmEnd: number | null = null;
  const timer = setTimeout(() => {
    cpuAtWarmEnd = processCpuSeconds(pid(app));
  }, ctx.opts.warmupMs);
  const caller = async (d: Device) => {
    for (let now = performance.now(); now < end && !d.source.done; now = performance.now()) {
      const readings = d.source.next().map(item);
      const body = JSON.stringify({ readings });
      const started = performance.now();
      const a = await send(agent, `${url(app)}/v1/readings/batch`, {
        method: 'POST',
        headers: bearer(d.key),
        body,
      }).catch(() => ({ status: 0, body: '' }));
      if (started < warmEnd) continue;
      if (a.status !== 200) {
        samples.errors++;
        continue;
      }
      samples.add(performance.now() - started);
      const answer = JSON.parse(a.body) as BatchAnswer;
      totals.offered += readings.length;
      totals.created += answer.created;
      totals.duplicates += answer.duplicates;
      totals.invalid += answer.invalid;
    }
  };
  try {
    await Promise.all(list.map(caller));
  } finally {
    clearTimeout(timer);
    agent.destroy();
  }
  const seconds = (performance.now() - warmEnd) / 1000;
  const cpuEnd = processCpuSeconds(pid(app));
  const batch: Summary = samples.summary(seconds);
  const cpuShare = cpuAtWarmEnd !== null && cpuEnd !== null ? (cpuEnd - cpuAtWarmEnd) / seconds : null;
  const notes = [
    `${((totals.duplicates / Math.max(1, totals.offered)) * 100).toFixed(1)} % answered duplicate (expected 10 %)`,
    totals.invalid > 0 ? `${totals.invalid} items answered invalid` : undefined,
    batch.errors > 0 ? `${batch.errors} batches failed` : undefined,
    cpuShare === null ? undefined : `server CPU ${(cpuShare * 100).toFixed(0)} % busy`,
  ].filter((n): n is string => n !== undefined);
  ctx.rows.push(
    {
      scenario: SYNC,
      size: label,
      metric: `readings/s (${concurrency} devices)`,
      unit: 'readings/s',
      value: seconds > 0 ? totals.offered / seconds : 0,
      ceiling: r.insert?.readingsPerSecond ?? null,
      budget: BUDGETS.sync,
      note: notes.join('; '),
    },
    {
      scenario: SYNC,
      size: label,
      metric: 'batch p50 latency',
      unit: 'ms',
      value: batch.p50Ms,
      ceiling: r.insert?.batch.p50Ms ?? null,
    },
  );
  return list.map((d) => d.patientId);
}
