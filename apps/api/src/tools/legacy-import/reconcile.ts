/**
 * The reconciliation: the source tables are read again (keys only, in chunks) and the target rows
 * that should correspond to the rows not skipped are counted by key and owner. Nothing here trusts
 * the step counters: `unexplained = |source rows now − skipped − target rows found|`.
 */

import { type SQL, sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.js';
import { canonicalDni } from '../../lib/canonical.js';
import type { ImportContext } from './context.js';
import type { QueueDays } from './queue.js';
import type { TableTally } from './report.js';
import { columnsOf, findQueueConfig, ident, type LegacySource } from './source.js';

type Key = { id: number; a: string | number };

/** Streams `(id, a)` key pairs of a source table by id; returns how many rows it saw. */
async function eachChunk(
  source: LegacySource,
  select: string,
  from: string,
  key: string,
  size: number,
  fn: (rows: Key[]) => Promise<void>,
): Promise<number> {
  let after = -2147483648;
  let seen = 0;
  for (;;) {
    const rows = await source.query<Key>(
      `select ${select} from ${from} where ${key} > $1 order by ${key} limit ${size}`,
      [after],
    );
    if (rows.length === 0) return seen;
    seen += rows.length;
    after = (rows[rows.length - 1] as Key).id;
    await fn(rows);
  }
}

async function countTarget(ctx: ImportContext, query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number }>(ctx.target, query);
  return row?.n ?? 0;
}

async function reconcileTable(
  ctx: ImportContext,
  tally: TableTally,
  source: LegacySource,
  table: string,
  select: string,
  key: string,
  match: (ids: number[], a: (string | number)[]) => SQL,
): Promise<void> {
  if ((await columnsOf(source, table.split(' ')[0] as string)).size === 0) return;
  let matched = 0;
  const count = await eachChunk(source, select, table, key, Math.max(ctx.chunkSize, 1000), async (rows) => {
    const kept = rows.filter((r) => !tally.skippedSet.has(r.id));
    if (kept.length === 0) return;
    matched += await countTarget(
      ctx,
      match(
        kept.map((r) => r.id),
        kept.map((r) => r.a),
      ),
    );
  });
  tally.report.matched = matched;
  tally.report.unexplained = Math.abs(count - tally.skippedTotal - matched);
}

export interface Tallies {
  users: TableTally;
  admins: TableTally;
  readings: TableTally;
  config: TableTally;
  queue: TableTally;
  appointments: TableTally;
  resolutions: TableTally;
}

export async function reconcile(ctx: ImportContext, t: Tallies, days: QueueDays | null): Promise<void> {
  const { login, glucose, appointments: appt } = ctx.sources;
  await reconcileTable(ctx, t.users, login, 'users', 'user_id::int as id, dni::text as a', 'user_id', (ids, a) => {
    const dnis = a.map((d) => canonicalDni(String(d)));
    return sql`select count(*)::int as n from patients p
      join unnest(${sql.param(ids)}::bigint[], ${sql.param(dnis)}::text[]) as u(id, dni) on p.id = u.id and p.dni = u.dni`;
  });
  await reconcileTable(
    ctx,
    t.admins,
    login,
    'admins',
    'admin_id::int as id, username::text as a',
    'admin_id',
    (_, a) => {
      const names = a.map((u) => String(u).normalize('NFKC').trim().toLowerCase());
      return sql`select count(*)::int as n from staff s where lower(s.username) = any(${sql.param(names)}::text[])`;
    },
  );
  await reconcileTable(
    ctx,
    t.readings,
    glucose,
    'glucose_readings',
    'id::int as id, user_id::int as a',
    'id',
    (ids, a) => sql`select count(*)::int as n from readings r
      join unnest(${sql.param(ids)}::bigint[], ${sql.param(a)}::bigint[]) as u(id, patient_id)
        on r.id = u.id and r.patient_id = u.patient_id and r.source = 'legacy'`,
  );
  await reconcileTable(
    ctx,
    t.appointments,
    appt,
    'appointments',
    'appointment_id::int as id, user_id::int as a',
    'appointment_id',
    (ids, a) => sql`select count(*)::int as n from appointments x
      join unnest(${sql.param(ids)}::bigint[], ${sql.param(a)}::bigint[]) as u(id, patient_id)
        on x.id = u.id and x.patient_id = u.patient_id`,
  );
  await reconcileTable(
    ctx,
    t.resolutions,
    appt,
    'appointment_resolution',
    'appointment_id::int as id, appointment_id::int as a',
    'appointment_id',
    (ids) => sql`select count(*)::int as n from appointment_resolutions
      where appointment_id = any(${sql.param(ids)}::bigint[]) and revision = 1`,
  );
  const day = days?.current ?? 0;
  await reconcileTable(
    ctx,
    t.queue,
    appt,
    'appointment_queue',
    'queue_placement::int as id, user_id::int as a',
    'queue_placement',
    (ids, a) => sql`select count(*)::int as n from queue_requests q
      join unnest(${sql.param(ids)}::int[], ${sql.param(a)}::bigint[]) as u(placement, patient_id)
        on q.queue_day = ${day} and q.placement = u.placement and q.patient_id = u.patient_id`,
  );
  // The configuration is one row: it is "there" when a run applied it (the queue marker exists).
  const shape = await findQueueConfig(appt);
  const [cfg] = shape
    ? await appt.query<{ n: number }>(`select least(count(*), 1)::int as n from ${ident(shape.table)}`)
    : [{ n: 0 }];
  const configRows = cfg?.n ?? 0;
  t.config.report.matched = configRows - t.config.skippedTotal > 0 && days ? 1 : 0;
  t.config.report.unexplained = Math.abs(configRows - t.config.skippedTotal - t.config.report.matched);
}
