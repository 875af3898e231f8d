/**
 * glucoserver → readings. Legacy ids are kept; each chunk takes change-feed positions under the
 * patients' row locks exactly like the bulk seed path (`db/seed/bulk.ts`), and moves the day
 * summaries with it, so every committed chunk leaves the target consistent. Rules in README
 * "glucose_readings".
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { fromLocalMs, localDay } from '../../lib/local-time.js';
import {
  LEGACY_READING_TYPES,
  type LegacyReadingType,
  measuredAtProblem,
  round1,
} from '../../modules/readings/readings.rules.js';
import { applySummaryDeltas, type SummaryDelta } from '../../modules/readings/readings.summaries.js';
import type { ImportContext } from './context.js';
import type { TableTally } from './report.js';
import { columnsOf, keysetQuery } from './source.js';
import { bumpSequence } from './users.js';

interface LegacyReading {
  id: number;
  user_id: number;
  level: number | null;
  created_at: string | null;
  reading_type: string | null;
  notes?: string | null;
}

const MAX_NOTES = 1000;

/** A legacy `timestamp without time zone` (as `YYYY-MM-DDTHH:MM:SS.ffffff`) read in `zone`, to ms. */
export function legacyInstantMs(wall: string, zone: string): number {
  const wallMs = Date.parse(`${wall.slice(0, 23)}Z`);
  return zone === 'UTC' ? wallMs : fromLocalMs(zone, wallMs);
}

interface Accepted {
  id: number;
  patientId: number;
  value: number;
  ms: number;
  context: string;
  notes: string | null;
}

const keyOf = (a: Pick<Accepted, 'patientId' | 'ms' | 'value' | 'context' | 'notes'>) =>
  `${a.patientId}|${a.ms}|${a.value}|${a.context}|${a.notes ?? ''}`;

export async function importReadings(ctx: ImportContext, tally: TableTally): Promise<void> {
  const cols = await columnsOf(ctx.sources.glucose, 'glucose_readings');
  if (cols.size === 0) throw new Error('the glucoserver database has no "glucose_readings" table');
  const select = [
    'id::int as id, user_id::int as user_id, glucose_level::float8 as level',
    `to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at, reading_type::text as reading_type`,
    cols.has('notes') ? 'notes::text as notes' : 'null::text as notes',
  ].join(', ');
  const query = keysetQuery(select, 'glucose_readings', 'id', ctx.chunkSize);
  let after = -2147483648;
  for (;;) {
    const rows = await ctx.sources.glucose.query<LegacyReading>(query, [after]);
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as LegacyReading).id;
    tally.seen(rows.length);
    await ctx.target.transaction(async (tx) => {
      await readingsChunk(tx, ctx, rows, tally);
    });
    await ctx.chunkDone('glucose_readings', rows.length);
  }
}

async function readingsChunk(tx: Executor, ctx: ImportContext, rows: LegacyReading[], tally: TableTally) {
  const present = new Set(
    (
      await queryRows<{ id: number }>(
        tx,
        sql`select id::int as id from readings where id = any(${sql.param(rows.map((r) => r.id))}::bigint[])`,
      )
    ).map((r) => r.id),
  );
  const zones = new Map(
    (
      await queryRows<{ id: number; timezone: string }>(
        tx,
        sql`select id::int as id, timezone from patients where id = any(${sql.param([...new Set(rows.map((r) => r.user_id))])}::bigint[])`,
      )
    ).map((p) => [p.id, p.timezone]),
  );
  const nowMs = ctx.runAt.getTime();
  const candidates: Accepted[] = [];
  for (const r of rows) {
    if (present.has(r.id)) {
      tally.report.present++;
      continue;
    }
    const reason = problemOf(r, ctx, zones, nowMs);
    if (reason) {
      tally.skip(r.id, reason);
      continue;
    }
    let notes = r.notes ?? null;
    if (notes !== null && [...notes].length > MAX_NOTES) {
      notes = [...notes].slice(0, MAX_NOTES).join('');
      tally.adjust('notes_truncated');
    }
    candidates.push({
      id: r.id,
      patientId: r.user_id,
      value: round1(r.level as number),
      ms: legacyInstantMs(r.created_at as string, ctx.sourceTimezone),
      context: LEGACY_READING_TYPES[r.reading_type as LegacyReadingType],
      notes,
    });
  }
  // Double submits: the lowest id of identical readings is kept, in this chunk or already imported.
  const earlier = await importedAt(tx, candidates);
  const seen = new Map<string, number>();
  const accepted: Accepted[] = [];
  for (const c of candidates) {
    const key = keyOf(c);
    const first = Math.min(seen.get(key) ?? Number.POSITIVE_INFINITY, earlier.get(key) ?? Number.POSITIVE_INFINITY);
    if (first < c.id) {
      tally.skip(c.id, 'duplicate_reading');
      continue;
    }
    seen.set(key, c.id);
    accepted.push(c);
  }
  if (accepted.length === 0) return;
  await insertLegacyReadings(tx, accepted);
  const deltas: SummaryDelta[] = accepted.map((a) => ({
    patientId: a.patientId,
    day: localDay(zones.get(a.patientId) as string, a.ms),
    valueMgDl: a.value,
    rangeFlag: null,
    sign: 1,
  }));
  await applySummaryDeltas(tx, deltas);
  await bumpSequence(tx, 'readings');
  tally.report.inserted += accepted.length;
}

function problemOf(r: LegacyReading, ctx: ImportContext, zones: Map<number, string>, nowMs: number): string | null {
  if (!ctx.userIds.has(r.user_id)) return 'unknown_user';
  if (ctx.skippedUsers.has(r.user_id) || !zones.has(r.user_id)) return 'user_skipped';
  if (r.created_at === null) return 'missing_created_at';
  const level = r.level;
  if (level === null || !Number.isFinite(level) || round1(level) < 10 || round1(level) > 1000) {
    return 'value_out_of_range';
  }
  if (r.reading_type === null || !(r.reading_type in LEGACY_READING_TYPES)) return 'unknown_reading_type';
  const at = new Date(legacyInstantMs(r.created_at, ctx.sourceTimezone));
  if (measuredAtProblem(at, nowMs)) return 'measured_at_out_of_range';
  return null;
}

/** Legacy readings already in the target at the candidates' instants: dedup key → lowest id. */
async function importedAt(tx: Executor, candidates: Accepted[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (candidates.length === 0) return out;
  const rows = await queryRows<{
    id: number;
    patient_id: number;
    ms: number;
    value: string | number;
    context: string;
    notes: string | null;
  }>(
    tx,
    sql`select r.id::int as id, r.patient_id::int as patient_id, (extract(epoch from r.measured_at) * 1000)::float8 as ms,
        r.value_mg_dl::float8 as value, r.context, r.notes
      from readings r
      join unnest(${sql.param(candidates.map((c) => c.patientId))}::bigint[],
        ${sql.param(candidates.map((c) => c.ms))}::float8[]) as k(patient_id, at_ms)
        on r.patient_id = k.patient_id and r.measured_at = to_timestamp(k.at_ms / 1000)
      where r.source = 'legacy' and r.value_mg_dl is not null`,
  );
  for (const r of rows) {
    const key = keyOf({
      patientId: r.patient_id,
      ms: Math.round(r.ms),
      value: Number(r.value),
      context: r.context,
      notes: r.notes,
    });
    out.set(key, Math.min(out.get(key) ?? Number.POSITIVE_INFINITY, r.id));
  }
  return out;
}

/** One INSERT … SELECT FROM unnest for the chunk, change-feed positions taken under the patient locks. */
async function insertLegacyReadings(tx: Executor, a: Accepted[]): Promise<void> {
  const col = <T>(f: (x: Accepted) => T) => sql.param(a.map(f));
  await tx.execute(sql`
    with input as (
      select r.*, row_number() over (partition by r.patient_id order by r.id) as n
      from unnest(${col((x) => x.id)}::bigint[], ${col((x) => x.patientId)}::bigint[],
        ${col((x) => x.value)}::numeric[], ${col((x) => x.ms)}::float8[], ${col((x) => x.context)}::text[],
        ${col((x) => x.notes)}::text[]) as r(id, patient_id, value_mg_dl, at_ms, context, notes)
    ),
    heads as (
      update patients p
      set readings_change_seq = p.readings_change_seq + c.n, last_reading_at = greatest(p.last_reading_at, c.last)
      from (select patient_id, count(*) as n, to_timestamp(max(at_ms) / 1000) as last from input group by patient_id) c
      where p.id = c.patient_id
      returning p.id, p.readings_change_seq - c.n as base
    )
    insert into readings (id, patient_id, value_mg_dl, unit, measured_at, context, source, sample_type, notes,
      entered_by_kind, change_seq, created_at, updated_at)
    overriding system value
    select i.id, i.patient_id, i.value_mg_dl, 'mg/dL', to_timestamp(i.at_ms / 1000), i.context, 'legacy', 'unknown',
      i.notes, 'system', h.base + i.n, to_timestamp(i.at_ms / 1000), to_timestamp(i.at_ms / 1000)
    from input i join heads h on h.id = i.patient_id`);
}

/**
 * Gamification days the old database may not have had: `counter_day` (the day `four_times_today`
 * counts) = local day of the patient's latest legacy reading; a missing `streak_last_date` with a
 * running streak = the latest local day with 4 or more legacy readings. Only fills nulls, so a
 * re-run changes nothing.
 */
export async function finishGamification(ctx: ImportContext, patientIds: number[]): Promise<void> {
  for (let i = 0; i < patientIds.length; i += 1000) {
    const ids = sql.param(patientIds.slice(i, i + 1000));
    await ctx.target.execute(sql`
      update patients p set
        counter_day = case when p.counter_day is null and p.four_times_today > 0 then d.last_day else p.counter_day end,
        streak_last_date = case when p.streak_last_date is null and p.streak_days > 0 then d.full_day else p.streak_last_date end
      from (
        select x.patient_id, max(x.day) as last_day, max(x.day) filter (where x.n >= 4) as full_day
        from (
          select r.patient_id, (r.measured_at at time zone q.timezone)::date as day, count(*) as n
          from readings r join patients q on q.id = r.patient_id
          where r.patient_id = any(${ids}::bigint[]) and r.source = 'legacy' and r.deleted_at is null
          group by 1, 2
        ) x group by x.patient_id
      ) d
      where p.id = d.patient_id
        and ((p.counter_day is null and p.four_times_today > 0) or (p.streak_last_date is null and p.streak_days > 0))`);
  }
}
