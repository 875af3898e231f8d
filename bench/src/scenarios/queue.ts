/**
 * Queue storm: a thousand signed-in patients ask for a consultation at the same instant against a
 * capacity of 50 (`POST /v1/queue/requests`, each answered 201 or 409 `queue_full`), then a
 * clinician accepts the admitted requests (`POST /v1/queue/requests/:id/accept`, the run's
 * connections in flight). Repeated in rounds — an admin resets the queue day between them, so
 * every patient may ask again — after one unmeasured round that also opens the thousand
 * connections. Capacity is checked after every storm and every acceptance (`GET /v1/queue`).
 */
import http from 'node:http';
import { type RunContext, step } from '../context.js';
import { fetchJson, send } from '../http-load.js';
import type { Child } from '../proc.js';
import type { Budget, Row } from '../report.js';
import { Samples } from '../samples.js';
import { bearer, login } from './app.js';
import { url } from './common.js';
import { BUDGETS, failed } from './platform-common.js';

export const QUEUE = 'queue storm (1,000 submits, capacity 50)';
export const QUEUE_ROUTES = [
  ['POST', '/v1/queue/requests'],
  ['POST', '/v1/queue/requests/:id/accept'],
  ['PATCH', '/v1/queue'],
  ['POST', '/v1/queue/reset'],
  ['GET', '/v1/queue'],
] as const;
export const CAPACITY = 50;
const CAPACITY_BUDGET: Budget = { op: '<', limit: CAPACITY + 1, text: `≤ ${CAPACITY}: capacity never exceeded` };
/** Rounds are short (a storm and 50 acceptances): enough of them for stable sums, never unbounded. */
const MAX_ROUNDS = 50;

/** Signs every patient in, `concurrency` at a time (argon2id each: the slow part of the setup). */
async function signIn(app: Child, dnis: string[], concurrency: number): Promise<string[]> {
  const tokens: string[] = new Array(dnis.length);
  let next = 0;
  const worker = async () => {
    while (next < dnis.length) {
      const i = next++;
      tokens[i] = await login(app, dnis[i] as string);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}

interface Round {
  stormSeconds: number;
  submits: Samples;
  admitted: number[];
  refusedFull: number;
  other: Map<string, number>;
  acceptSeconds: number;
  accepted: number;
  acceptErrors: number;
  activeAfter: number[];
}

async function active(app: Child, staff: string): Promise<number> {
  return (await fetchJson<{ active: number }>(`${url(app)}/v1/queue`, { headers: bearer(staff) })).active;
}

async function round(
  app: Child,
  agent: http.Agent,
  patients: string[],
  admin: string,
  clinician: string,
  inFlight: number,
): Promise<Round> {
  const base = url(app);
  await fetchJson(`${base}/v1/queue/reset`, { method: 'POST', headers: bearer(admin) });
  const r: Round = {
    stormSeconds: 0,
    submits: new Samples(),
    admitted: [],
    refusedFull: 0,
    other: new Map(),
    acceptSeconds: 0,
    accepted: 0,
    acceptErrors: 0,
    activeAfter: [],
  };
  const stormStart = performance.now();
  await Promise.all(
    patients.map(async (token) => {
      const t0 = performance.now();
      const a = await send(agent, `${base}/v1/queue/requests`, {
        method: 'POST',
        headers: bearer(token),
        body: '{}',
      }).catch((err: Error) => ({ status: 0, body: JSON.stringify({ code: err.message }) }));
      r.submits.add(performance.now() - t0);
      const code = a.status === 201 ? 'created' : ((JSON.parse(a.body || '{}') as { code?: string }).code ?? '?');
      if (a.status === 201) r.admitted.push((JSON.parse(a.body) as { id: number }).id);
      else if (a.status === 409 && code === 'queue_full') r.refusedFull++;
      else r.other.set(`${a.status} ${code}`, (r.other.get(`${a.status} ${code}`) ?? 0) + 1);
    }),
  );
  r.stormSeconds = (performance.now() - stormStart) / 1000;
  r.activeAfter.push(await active(app, clinician));
  const ids = [...r.admitted];
  const acceptStart = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let id = ids.shift(); id !== undefined; id = ids.shift()) {
        const a = await send(agent, `${base}/v1/queue/requests/${id}/accept`, {
          method: 'POST',
          headers: bearer(clinician),
          body: '{}',
        }).catch(() => ({ status: 0, body: '' }));
        if (a.status === 200) r.accepted++;
        else r.acceptErrors++;
      }
    }),
  );
  r.acceptSeconds = (performance.now() - acceptStart) / 1000;
  r.activeAfter.push(await active(app, clinician));
  return r;
}

export async function queueScenario(
  ctx: RunContext,
  app: Child,
  staff: { admin: string; clinician: string },
  dnis: string[],
): Promise<void> {
  const metric = `submit decisions/s (${dnis.length.toLocaleString('en-US')} patients at once)`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: dnis.length + ctx.opts.connections });
  try {
    step(`queue storm: signing in ${dnis.length.toLocaleString('en-US')} patients (argon2id each)`);
    const signInStart = performance.now();
    const patients = await signIn(app, dnis, ctx.opts.loginConnections);
    const signInSeconds = (performance.now() - signInStart) / 1000;
    await fetchJson(`${url(app)}/v1/queue`, {
      method: 'PATCH',
      headers: bearer(staff.admin),
      body: { open: true, capacity: CAPACITY },
    });
    step(`queue storm: rounds of ${dnis.length.toLocaleString('en-US')} submits, then accepting the admitted`);
    const inFlight = ctx.opts.connections;
    await round(app, agent, patients, staff.admin, staff.clinician, inFlight); // warm-up, unmeasured
    const rounds: Round[] = [];
    let measured = 0;
    while (measured < ctx.opts.durationMs / 1000 && rounds.length < MAX_ROUNDS) {
      const r = await round(app, agent, patients, staff.admin, staff.clinician, inFlight);
      rounds.push(r);
      measured += r.stormSeconds + r.acceptSeconds;
    }
    const sum = (f: (r: Round) => number) => rounds.reduce((a, r) => a + f(r), 0);
    const submits = new Samples();
    for (const r of rounds) for (const v of r.submits.values()) submits.add(v);
    const storm = submits.summary(sum((r) => r.stormSeconds));
    const admittedMax = Math.max(...rounds.map((r) => r.admitted.length));
    const activeMax = Math.max(...rounds.flatMap((r) => r.activeAfter));
    const other = new Map<string, number>();
    for (const r of rounds) for (const [k, v] of r.other) other.set(k, (other.get(k) ?? 0) + v);
    const otherText = [...other].map(([k, v]) => `${v} × ${k}`).join(', ');
    const acceptErrors = sum((r) => r.acceptErrors);
    const rows: Row[] = [
      {
        scenario: QUEUE,
        size: '—',
        metric,
        unit: 'ops/s',
        value: storm.count / storm.seconds,
        ceiling: null,
        budget: BUDGETS.queue,
        note:
          `${rounds.length} measured rounds; per round ${admittedMax} admitted at most, ` +
          `${Math.round(sum((r) => r.refusedFull) / rounds.length)} refused queue_full on average` +
          `${otherText ? `; other answers: ${otherText}` : ''}; the ${dnis.length.toLocaleString('en-US')} sign-ins took ${signInSeconds.toFixed(0)} s (not measured)`,
      },
      { scenario: QUEUE, size: '—', metric: 'submit p50 latency', unit: 'ms', value: storm.p50Ms, ceiling: null },
      { scenario: QUEUE, size: '—', metric: 'submit p99 latency', unit: 'ms', value: storm.p99Ms, ceiling: null },
      {
        scenario: QUEUE,
        size: '—',
        metric: `accept decisions/s (${inFlight} in flight)`,
        unit: 'ops/s',
        value: sum((r) => r.accepted) / sum((r) => r.acceptSeconds),
        ceiling: null,
        budget: BUDGETS.queue,
        ...(acceptErrors > 0 ? { note: `${acceptErrors} accepts failed` } : {}),
      },
      {
        scenario: QUEUE,
        size: '—',
        metric: `most active requests seen (capacity ${CAPACITY})`,
        unit: 'count',
        value: Math.max(activeMax, admittedMax),
        ceiling: null,
        budget: CAPACITY_BUDGET,
      },
    ];
    ctx.rows.push(...rows);
  } catch (err) {
    ctx.rows.push(failed(QUEUE, '—', metric, 'ops/s', err, BUDGETS.queue));
  } finally {
    agent.destroy();
  }
}
