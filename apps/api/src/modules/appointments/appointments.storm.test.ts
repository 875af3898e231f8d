/**
 * The capacity storm on real PostgreSQL (security.md BF-1, BF-3; issue 4 "done when"): 1,000
 * patients submitting at once against capacity 50 yields exactly 50 pending requests with
 * placements 0–49, and 950 clear 409 queue_full answers, no 5xx. Runs only with TEST_DATABASE_URL
 * (PGlite is one connection: there is no concurrency to test). Latency and decisions per second
 * are printed, never asserted (tests do not assert wall-clock time).
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue, patientToken, staffToken } from '../../../test/access-matrix/consultations.js';
import { buildTestApp, createTestDb, usingPostgres } from '../../../test/build-test-app.js';
import type { DbHandle } from '../../db/client.js';
import { queueRequests } from '../../db/schema/index.js';

const PATIENTS = 1000;
const CAPACITY = 50;

let db: DbHandle;
let app: FastifyInstance;
/** A second instance on the same database: the row lock, not the in-process line, must hold. */
let other: FastifyInstance;
let patientIds: number[] = [];
const tokens = new Map<number, Record<string, string>>();

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** Runs `work` over `items` with at most `limit` in flight. */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

describe.runIf(usingPostgres)('capacity storm on PostgreSQL', () => {
  beforeAll(async () => {
    db = await createTestDb();
    app = await buildTestApp({ db });
    // Instances share the event bus in production (one Redis); so do these two.
    other = await buildTestApp({ db, bus: app.events.bus });
    const made = await db.db.execute(sql`insert into patients (dni, email, name, surname)
      select (70000000 + g)::text, 'storm' || g || '@patients.example', 'Storm', 'Patient'
      from generate_series(1, ${PATIENTS}) g returning id`);
    patientIds = (made as unknown as { rows: { id: string | number }[] }).rows.map((r) => Number(r.id));
    await pooled(patientIds, 10, async (id) => tokens.set(id, await patientToken(app, id)));
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await app?.close();
    await db?.close();
  });

  it(`${PATIENTS} patients submitting at once against capacity ${CAPACITY}: exactly ${CAPACITY} pending, the rest 409 queue_full, no 5xx`, async () => {
    await openQueue(app, db, CAPACITY);
    const latencies: number[] = [];
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const results = await Promise.all(
      patientIds.map(async (id, i) => {
        const t0 = performance.now();
        const res = await (i % 2 ? other : app).inject({
          method: 'POST',
          url: '/v1/queue/requests',
          headers: tokens.get(id) ?? {},
          payload: {},
        });
        latencies.push(performance.now() - t0);
        return res;
      }),
    );
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const byStatus = new Map<number, LightMyRequestResponse[]>();
    for (const r of results) byStatus.set(r.statusCode, [...(byStatus.get(r.statusCode) ?? []), r]);
    expect([...byStatus.keys()].sort()).toEqual([201, 409]);
    expect(byStatus.get(201)).toHaveLength(CAPACITY);
    expect(byStatus.get(409)?.every((r) => r.json().code === 'queue_full')).toBe(true);

    const rows = await db.db.select().from(queueRequests);
    expect(rows).toHaveLength(CAPACITY);
    expect(new Set(rows.map((r) => r.patientId)).size).toBe(CAPACITY);
    expect(rows.map((r) => r.placement).sort((a, b) => a - b)).toEqual(Array.from({ length: CAPACITY }, (_, i) => i));
    const answered = (byStatus.get(201) ?? []).map((r) => r.json().placement as number).sort((a, b) => a - b);
    expect(answered).toEqual(rows.map((r) => r.placement).sort((a, b) => a - b));

    latencies.sort((a, b) => a - b);
    console.warn(
      `capacity storm: ${PATIENTS} concurrent submits over 2 instances, capacity ${CAPACITY} → ${byStatus.get(201)?.length} × 201, ` +
        `${byStatus.get(409)?.length} × 409 queue_full; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms; wall ${wall.toFixed(0)} ms ` +
        `(${Math.round((PATIENTS / wall) * 1000)} submits/s); API process CPU ${((cpu.user + cpu.system) / 1000 / PATIENTS).toFixed(2)} ms per submit`,
    );
  });

  it('one patient submitting ten times at once, on two instances, gets one request; the others 409 request_active', async () => {
    await openQueue(app, db, 10_000);
    // The other instance hears of the change through the bus; at worst its cached "full" answer
    // from the storm expires after 250 ms (README: capacity under concurrency).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const outside = await db.db.execute(sql`select p.id from patients p where p.email like 'storm%'
      and not exists (select 1 from queue_requests q where q.patient_id = p.id) limit 1`);
    const id = Number((outside as unknown as { rows: { id: string | number }[] }).rows[0]?.id);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? other : app).inject({
          method: 'POST',
          url: '/v1/queue/requests',
          headers: tokens.get(id) ?? {},
          payload: {},
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'request_active')).toBe(true);
    const mine = await db.db.execute(sql`select count(*)::int as n from queue_requests where patient_id = ${id}`);
    expect((mine as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(1);
  });

  it('decides every pending request exactly once under concurrency (decisions per second printed)', async () => {
    // Fill the queue: everyone without a request submits.
    const waiting = await db.db.execute(sql`select p.id from patients p
      where p.email like 'storm%' and not exists (select 1 from queue_requests q where q.patient_id = p.id)`);
    const rest = (waiting as unknown as { rows: { id: string | number }[] }).rows.map((r) => Number(r.id));
    const submitted = await pooled(rest, 32, (id) =>
      app.inject({ method: 'POST', url: '/v1/queue/requests', headers: tokens.get(id) ?? {}, payload: {} }),
    );
    expect(submitted.every((r) => r.statusCode === 201)).toBe(true);
    const pending = (await db.db.select({ id: queueRequests.id }).from(queueRequests)).map((r) => r.id);
    expect(pending).toHaveLength(PATIENTS);

    const [clinician, assistant] = [await staffToken(app, db, 'clinician'), await staffToken(app, db, 'assistant')];
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const decided = await pooled(pending, 32, (id) =>
      app.inject({
        method: 'POST',
        url: `/v1/queue/requests/${id}/${id % 2 ? 'accept' : 'deny'}`,
        headers: id % 3 ? clinician : assistant,
      }),
    );
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    expect(decided.filter((r) => r.statusCode === 200)).toHaveLength(PATIENTS);
    const moved = await db.db.execute(sql`select count(*)::int as n from queue_request_transitions
      where from_state = 'pending' and to_state in ('accepted', 'denied')`);
    expect((moved as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(PATIENTS);
    console.warn(
      `decisions: ${PATIENTS} accept/deny with 32 in flight in ${wall.toFixed(0)} ms → ` +
        `${Math.round((PATIENTS / wall) * 1000)} decisions/s (each: transition + history + audit + event + e-mail queued); ` +
        `API process CPU ${((cpu.user + cpu.system) / 1000 / PATIENTS).toFixed(2)} ms per decision`,
    );
  }, 300_000);
});
