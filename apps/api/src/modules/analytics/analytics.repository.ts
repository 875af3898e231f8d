/**
 * Statistics and AGP queries. Everything is aggregated in PostgreSQL (one window pass, grouping,
 * percentile_cont): a 90-day CGM window is ≈ 26k readings and none of them travels to Node.
 * README.md in this folder explains each query.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { fromLocalMs } from '../../lib/local-time.js';
import type { RunStart } from './analytics.episodes.js';
import { DEFAULT_INTERVAL_MINUTES, localDates, THRESHOLDS, TIGHT_RANGE, zoneSegments } from './analytics.formulas.js';

export interface PatientProfile {
  id: number;
  timezone: string;
  targetLowMgDl: number;
  targetHighMgDl: number;
}

export interface WindowArgs {
  patientId: number;
  from: Date;
  to: Date;
  timezone: string;
  targetLow: number;
  targetHigh: number;
}

export async function findProfile(db: Executor, id: number): Promise<PatientProfile | null> {
  const [row] = await queryRows<{ id: number | string; timezone: string; low: number; high: number }>(
    db,
    sql`select id, timezone, target_low_mg_dl as low, target_high_mg_dl as high from patients where id = ${id}`,
  );
  return row ? { id: Number(row.id), timezone: row.timezone, targetLowMgDl: row.low, targetHighMgDl: row.high } : null;
}

/**
 * The readings every statistic uses (alias `r`): live (not soft-deleted), in the window, and not
 * control-solution checks. `measured_at` bounds plus `deleted_at is null` match the partial index
 * `(patient_id, measured_at desc, id desc) where deleted_at is null`.
 */
function liveReadings(a: Pick<WindowArgs, 'patientId' | 'from' | 'to'>): SQL {
  return sql`r.patient_id = ${a.patientId} and r.deleted_at is null
    and r.measured_at >= ${a.from.toISOString()}::timestamptz and r.measured_at < ${a.to.toISOString()}::timestamptz
    and r.sample_type is distinct from 'control_solution' and r.sample_location is distinct from 'control_solution'`;
}

/**
 * Per reading, one small integer: band × 4 + 2 when in the personal target + 1 when in the tight
 * range, + 32 for LO/HI (no value). Bands as bandOf: on the value rounded to whole mg/dL, written as half-unit edges
 * (round(v) < 54 ⇔ v < 53.5 for positive one-decimal values), so no round() per comparison; the
 * common in-range value is decided in two or three comparisons. LO is band 0 and HI band 4.
 */
function codeOf(targetLow: number, targetHigh: number): SQL {
  const v = 'r.value_mg_dl';
  const tightHigh = TIGHT_RANGE.high + 0.5;
  // With the consensus target (70–180) "in target" is "in range": no comparisons of its own.
  const consensus = targetLow === THRESHOLDS.low && targetHigh === THRESHOLDS.high;
  const inRange = `case when ${v} < ${tightHigh} then ${consensus ? 11 : 9} else ${consensus ? 10 : 8} end`;
  const target = consensus
    ? ''
    : ` + case when ${v} >= ${targetLow - 0.5} and ${v} < ${targetHigh + 0.5} then 2 else 0 end`;
  return sql.raw(`(case
      when ${v} is null then case when r.range_flag = 'LO' then 32 else 48 end
      when ${v} < ${THRESHOLDS.low - 0.5} then case when ${v} < ${THRESHOLDS.veryLow - 0.5} then 0 else 4 end
      when ${v} < ${THRESHOLDS.high + 0.5} then ${inRange}
      when ${v} < ${THRESHOLDS.veryHigh + 0.5} then 12 else 16 end${target})`);
}

/**
 * The local days of a window as instants of their local midnights (DST-exact, from TypeScript):
 * `width_bucket(measured_at, starts)` then gives a reading's day in one binary search, with no
 * time-zone conversion per reading (AT TIME ZONE per row costs more than the rest of a scan).
 */
function localDayStarts(a: Pick<WindowArgs, 'from' | 'to' | 'timezone'>): { dates: string[]; starts: SQL } {
  const dates = localDates(a);
  const starts = dates.map((d) => new Date(fromLocalMs(a.timezone, Date.parse(`${d}T00:00:00Z`))).toISOString());
  return { dates, starts: sql`${sql.param(starts)}::timestamptz[]` };
}

/**
 * Local wall-clock seconds since the epoch of `r.measured_at`, for time-of-day bins: the zone's
 * offset comes from segments computed in TypeScript (`zoneSegments`), found with width_bucket —
 * exact across DST changes, and only arithmetic per reading.
 */
function localEpoch(a: Pick<WindowArgs, 'from' | 'to' | 'timezone'>): SQL {
  const z = zoneSegments(a.timezone, a.from, a.to);
  const transitions = sql.param(z.transitions.map((d) => d.toISOString()));
  return sql`(date_part('epoch', r.measured_at)
    + (${sql.param(z.offsetsSec)}::int[])[width_bucket(r.measured_at, ${transitions}::timestamptz[]) + 1])`;
}

/** One (local day, context) cell of a window: counts and sums (rolled up by the service). */
export interface GroupRow {
  /** Local date, `YYYY-MM-DD`. */
  day: string;
  context: string;
  n: number;
  valued: number;
  cgm: number;
  sum: number;
  sumSq: number;
  min: number | null;
  max: number | null;
  bands: [number, number, number, number, number];
  target: number;
  tight: number;
}

export interface WindowAggregates {
  intervalMinutes: number;
  groups: GroupRow[];
  /** CGM minutes credited to each band (time weighting), and to the target and tight ranges. */
  minutes: { bands: [number, number, number, number, number]; target: number; tight: number };
  /** The last CGM reading (epoch ms) and its code, whose time runs to the window end (capped). */
  last: { ms: number; code: number } | null;
  /** Readings that start a band run, in time order (episodes are merged from them). */
  starts: RunStart[];
}

/**
 * Everything a statistics window needs, in one statement over one ordered scan:
 * - `smp` / `iv`: the CGM sampling interval from the median gap of the latest 288 CGM readings
 *   (5 minutes, or 15 for a 15-minute device) and the last CGM reading — a short index read;
 * - `s`: each reading once: epoch seconds, band/target/tight code, local day;
 * - `w`: the one window pass. Each row learns the previous CGM reading (seconds × 64 + code as a
 *   running max(), so meter readings in between are skipped without sorting by source);
 * - `y`: a CGM reading credits the previous one with min(gap, interval) minutes in that one's band
 *   (time weighting), and starts a run when the band changes or the series breaks (a gap longer
 *   than two intervals): gaps-and-islands without a second pass;
 * - `f`: one hash aggregate by (day, context, code, previous code) with no FILTERs (they are the
 *   expensive part of wide aggregates), rolled up into `g` (per day and context) and the minutes
 *   per previous code. A run start is keyed by its own time, so it leaves the same aggregate as a
 *   group of its own and the readings are never materialised;
 * - the run starts, in time order; episodes are merged from them in one pass (analytics.episodes.ts).
 * Orderings are spelled `nulls first` to match the index `(patient_id, measured_at desc nulls last,
 * id desc nulls last)` read backwards, so an index scan can feed the window already sorted.
 */
export async function windowAggregates(db: Executor, a: WindowArgs): Promise<WindowAggregates> {
  const toSec = Math.floor(a.to.getTime() / 1000);
  const days = localDayStarts(a);
  const code = codeOf(a.targetLow, a.targetHigh);
  const m = sql`(select m from iv)`;
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`with smp as (
      select floor(date_part('epoch', r.measured_at)) as e, ${code} as code from readings r
      where ${liveReadings(a)} and r.source = 'cgm'
      order by r.measured_at desc nulls last, r.id desc nulls last limit 288
    ),
    iv as (
      select coalesce((select case when percentile_cont(0.5) within group (order by gap) > 10 then 15 end
          from (select (e - lag(e) over (order by e)) / 60 as gap from smp) x where gap > 0),
        ${DEFAULT_INTERVAL_MINUTES})::float8 as m,
        (select e * 64 + code from smp order by e desc limit 1) as last_key
    ),
    s as (
      select r.measured_at as t, r.id, floor(date_part('epoch', r.measured_at)) as sec, r.source = 'cgm' as cgm,
        r.context, r.value_mg_dl as v, ${code} as code, width_bucket(r.measured_at, ${days.starts}) as day
      from readings r where ${liveReadings(a)}
      order by r.measured_at nulls first, r.id nulls first offset 0
    ),
    w as (
      select s.*, max(case when cgm then sec * 64 + code end)
        over (order by t nulls first, id nulls first rows between unbounded preceding and 1 preceding) as pk
      from s
    ),
    x as (
      select day, context, v, code, sec, cgm, sec - floor(pk / 64) as gap,
        case when cgm then coalesce((pk - 64 * floor(pk / 64))::int, -1) end as pcode
      from w
    ),
    y as (
      select day, context, v, code, pcode, least(gap / 60, ${m}) as dur,
        case when cgm and (gap is null or gap > 120 * ${m} or (code & 31) / 4 <> (pcode & 31) / 4) then sec end as st,
        case when cgm and (gap is null or gap > 120 * ${m}) then coalesce(sec - gap, -1) end as bsec
      from x
    ),
    f as (
      select day, context, code, pcode, st, bsec, count(*) as n, sum(v) as sum, sum(v * v) as sum_sq,
        min(v) as min, max(v) as max, sum(dur) as dur
      from y group by day, context, code, pcode, st, bsec
    ),
    g as (
      select day, context, sum(n) as n, sum(n) filter (where code < 32) as valued,
        sum(n) filter (where pcode is not null) as cgm,
        coalesce(sum(sum), 0) as sum, coalesce(sum(sum_sq), 0) as sum_sq, min(min) as min, max(max) as max,
        sum(n) filter (where (code & 31) / 4 = 0) as b0, sum(n) filter (where (code & 31) / 4 = 1) as b1,
        sum(n) filter (where (code & 31) / 4 = 2) as b2, sum(n) filter (where (code & 31) / 4 = 3) as b3,
        sum(n) filter (where (code & 31) / 4 = 4) as b4,
        sum(n) filter (where code & 2 = 2) as target, sum(n) filter (where code & 1 = 1) as tight
      from f group by day, context
    )
    select (select m from iv) as interval, (select last_key from iv) as last_key, ${toSec}::float8 as to_sec,
      (select coalesce(json_agg(g), '[]'::json) from g) as groups,
      (select coalesce(json_agg(json_build_array(pcode, m)), '[]'::json)
         from (select pcode, sum(dur) as m from f where pcode >= 0 group by pcode) p) as minutes,
      (select coalesce(json_agg(json_build_array(st, (code & 31) / 4, bsec) order by st), '[]'::json)
         from f where st is not null) as starts`,
  );
  const r = row ?? {};
  const minutes: WindowAggregates['minutes'] = { bands: [0, 0, 0, 0, 0], target: 0, tight: 0 };
  for (const [pcode, mins] of parseJson<[number, number][]>(r.minutes)) {
    const b = (pcode & 31) >> 2;
    minutes.bands[b] = (minutes.bands[b] ?? 0) + Number(mins);
    if (pcode & 2) minutes.target += Number(mins);
    if (pcode & 1) minutes.tight += Number(mins);
  }
  const lastKey = num(r.last_key);
  return {
    intervalMinutes: Number(r.interval ?? DEFAULT_INTERVAL_MINUTES),
    groups: parseJson<Record<string, unknown>[]>(r.groups).map((g) => toGroup(g, days.dates)),
    minutes,
    last:
      lastKey === null ? null : { ms: Math.floor(lastKey / 64) * 1000, code: lastKey - 64 * Math.floor(lastKey / 64) },
    starts: parseJson<[number, number, number | null][]>(r.starts).map(([sec, band, bsec]) => ({
      ms: Number(sec) * 1000,
      band: Number(band),
      brk: bsec !== null,
      prevMs: bsec !== null && Number(bsec) > 0 ? Number(bsec) * 1000 : null,
    })),
  };
}

function toGroup(g: Record<string, unknown>, dates: readonly string[]): GroupRow {
  const n = (k: string) => Number(g[k] ?? 0);
  return {
    // width_bucket: 1 is the first local day of the window.
    day: dates[n('day') - 1] ?? '',
    context: String(g.context),
    n: n('n'),
    valued: n('valued'),
    cgm: n('cgm'),
    sum: n('sum'),
    sumSq: n('sum_sq'),
    min: num(g.min),
    max: num(g.max),
    bands: [n('b0'), n('b1'), n('b2'), n('b3'), n('b4')],
    target: n('target'),
    tight: n('tight'),
  };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** json columns arrive parsed from node-postgres and PGlite alike; a string is parsed defensively. */
function parseJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : (v ?? [])) as T;
}

export interface AgpRow {
  bin: number;
  n: number;
  lo: number;
  hi: number;
  p: [number, number, number, number, number] | null;
}

/**
 * AGP: 5th–95th percentiles (percentile_cont) of the valued readings per 15-minute bin of local
 * wall-clock time. Binning on the local epoch keeps 08:00 in bin 32 on either side of a DST change.
 */
export async function agpBins(
  db: Executor,
  a: Pick<WindowArgs, 'patientId' | 'from' | 'to' | 'timezone'>,
): Promise<{ bins: AgpRow[]; days: number; count: number }> {
  const raw = await queryRows<{
    bin: number | null;
    n: string;
    lo: string;
    hi: string;
    p: number[] | null;
    days: string;
  }>(
    db,
    sql`select x.bin, count(x.v) as n, count(*) filter (where x.f = 'LO') as lo, count(*) filter (where x.f = 'HI') as hi,
        percentile_cont(array[0.05, 0.25, 0.5, 0.75, 0.95]) within group (order by x.v) as p,
        count(distinct x.day) as days
      from (select floor(le / 86400)::int as day, floor((le - 86400 * floor(le / 86400)) / 900)::int as bin, v, f
            from (select ${localEpoch(a)} as le, r.value_mg_dl as v, r.range_flag as f
                  from readings r where ${liveReadings(a)} offset 0) l) x
      group by grouping sets ((x.bin), ())`,
  );
  let days = 0;
  let count = 0;
  const bins: AgpRow[] = [];
  for (const r of raw) {
    if (r.bin === null) {
      days = Number(r.days);
      count = Number(r.n);
      continue;
    }
    bins.push({
      bin: Number(r.bin),
      n: Number(r.n),
      lo: Number(r.lo),
      hi: Number(r.hi),
      p: r.p ? (r.p.map(Number) as AgpRow['p']) : null,
    });
  }
  return { bins, days, count };
}
