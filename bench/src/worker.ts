/**
 * The pinned worker: runs bare ceilings on the CPU the server gets, so "bare" and "platform"
 * compete for the same core. Reads its task from BENCH_TASK, reports progress on stderr and its
 * result as one JSON line on stdout.
 */
import { randomUUID } from 'node:crypto';
import { deriveSeed, Rng } from '@diabetify/api/dist/db/seed/generate.js';
import { AUDIENCES, KeyStore } from '@diabetify/api/dist/modules/auth/auth.keys.js';
import { hashPassword, verifyPassword } from '@diabetify/api/dist/modules/auth/auth.passwords.js';
import { insertCeiling } from './insert-ceiling.js';
import { closedLoop, openLoop } from './samples.js';
import { AGP_SQL, PAGE_KEYS_SQL, PAGE_SQL, STATS_SQL } from './sql.js';
import { connect } from './sql-client.js';
import type { DbResult, DbTask, MicroResult, MicroTask, WorkerTask } from './tasks.js';

const say = (line: string) => process.stderr.write(`    ${line}\n`);

/** Distinct tokens per phase: more than a phase needs, fewer than would take long to sign. */
const FRESH_TOKENS = 8000;

async function micro(task: MicroTask): Promise<MicroResult> {
  const jwk = await KeyStore.generatePrivateJwk();
  const signer = await KeyStore.fromJwks('diabetify', jwk);
  const now = Math.floor(Date.now() / 1000);
  const sign = () =>
    signer.sign(
      {
        subject: 'patient:1',
        audience: AUDIENCES.app,
        roles: ['patient'],
        sessionId: randomUUID(),
        tokenId: randomUUID(),
        amr: ['pwd'],
      },
      now,
    );
  say(`signing ${FRESH_TOKENS.toLocaleString('en-US')} tokens`);
  const tokens = await Promise.all(Array.from({ length: FRESH_TOKENS }, sign));
  // The audience list of an `audience: 'any'` route, as the auth plugin passes it.
  const audiences = [AUDIENCES.app, AUDIENCES.backoffice];
  // A new key store per phase: none of the tokens has been seen (and cached) by it yet.
  const fresh = async () => {
    const keys = await KeyStore.fromJwks('diabetify', jwk);
    return (i: number) => keys.verify(tokens[i] as string, audiences, new Date());
  };
  const half = { warmupMs: 0, durationMs: task.durationMs / 2, limit: FRESH_TOKENS };
  say('keys.verify, a new token each call, one at a time');
  const verifySerial = await closedLoop(await fresh(), { ...half, concurrency: 1 });
  say(`keys.verify, a new token each call, ${task.concurrency} in flight`);
  const verifyParallel = await closedLoop(await fresh(), { ...half, concurrency: task.concurrency });
  say(`keys.verify, the same token, ${task.concurrency} in flight`);
  const repeated = await fresh();
  const verifyRepeated = await closedLoop(() => repeated(0), {
    warmupMs: task.warmupMs,
    durationMs: task.durationMs / 2,
    concurrency: task.concurrency,
  });
  say(`argon2id verify, ${task.loginConcurrency} in flight`);
  const password = 'Bench-Password-2026!';
  const hash = await hashPassword(password);
  const argon2 = await closedLoop(() => verifyPassword(password, hash, 'argon2id'), {
    warmupMs: task.warmupMs,
    durationMs: task.durationMs,
    concurrency: task.loginConcurrency,
  });
  return { verifySerial, verifyParallel, verifyRepeated, argon2 };
}

async function db(task: DbTask): Promise<DbResult> {
  const pool = await connect(task.target, Math.max(task.concurrency, task.insert?.concurrency ?? 1));
  try {
    const end = task.windowEnd;
    const keys = (await pool.query<{ measured_at: Date; id: string }>(PAGE_KEYS_SQL, [task.patientId])).rows.map(
      (r) => [r.measured_at.toISOString(), r.id] as const,
    );
    const result: DbResult = { patientReadings: keys.length };
    if (keys.length === 0) throw new Error(`patient ${task.patientId} has no readings`);
    const rng = new Rng(deriveSeed(task.seed, 0x50414745)); // "PAGE": the same cursors every run
    const page = () => {
      const [at, id] = keys[rng.int(0, keys.length - 1)] as readonly [string, string];
      return pool.query(PAGE_SQL, [task.patientId, at, id], 'page');
    };
    const phase = { warmupMs: task.warmupMs, durationMs: task.durationMs };
    const third = { warmupMs: Math.min(task.warmupMs, 1000), durationMs: task.durationMs / 3 };
    if (task.page) {
      say(`keyset page, ${task.concurrency} in flight`);
      result.page = await closedLoop(page, { ...phase, concurrency: task.concurrency });
      say(`keyset page at ${task.pageRate}/s`);
      result.pageAtRate = await openLoop(page, {
        rate: task.pageRate,
        durationMs: task.durationMs / 2,
        maxInFlight: task.concurrency * 10,
      });
    }
    if (task.stats) {
      for (const days of [14, 90] as const) {
        say(`${days}-day statistics aggregate`);
        const stats = () => pool.query(STATS_SQL, [task.patientId, end, days], 'stats');
        result[days === 14 ? 'stats14' : 'stats90'] = await closedLoop(stats, { ...third, concurrency: 1 });
      }
    }
    if (task.agp) {
      say('14-day AGP aggregate');
      const agp = () => pool.query(AGP_SQL, [task.patientId, end, 14, task.timezone], 'agp');
      result.agp = await closedLoop(agp, { ...third, concurrency: 1 });
    }
    if (task.insert) {
      say(
        `1,000-reading batches with ${task.insert.duplicateShare * 100} % duplicates, ${task.insert.concurrency} in flight`,
      );
      result.insert = await insertCeiling(pool, task, task.insert);
    }
    return result;
  } finally {
    await pool.end();
  }
}

const task = JSON.parse(process.env.BENCH_TASK ?? 'null') as WorkerTask | null;
if (!task) throw new Error('BENCH_TASK is not set');
const result = task.kind === 'micro' ? await micro(task) : await db(task);
process.stdout.write(`${JSON.stringify(result)}\n`);
