/**
 * The triage ranking query: `reading_day_summaries` joined with patients, never the readings table,
 * so the list over 10,000 patients reads ≈ 14 small rows per patient.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { CV_STABLE_MAX, TRIAGE_NO_DATA_DAYS } from './analytics.formulas.js';

export interface TriageRow {
  id: number;
  name: string;
  surname: string;
  tier: number;
  n: number;
  valued: number;
  sum: number | null;
  sum_sq: number | null;
  bands: [number, number, number, number, number];
  days: number;
  last_reading_at: Date | null;
  days_since: number | null;
  gri: number | null;
  total: number;
}

const pct = (col: string) => `100.0::float8 * ${col} / nullif(n, 0)`;

/**
 * The triage ranking over `reading_day_summaries` (count-based, never the readings table): the
 * last 14 local days of each patient, joined with patients. Tiers (README: ranking rule):
 * 1 hypoglycemia (%<54 > 1 or %<70 > 4), 2 no recent data (no reading for 7 days, or never),
 * 3 above targets (TIR < 70, %>180 > 25, %>250 > 5 or CV > 36), 4 on target. Within a tier:
 * hypoglycemia by %<54 then %<70; no data by days without data; then GRI, descending; then id.
 */
export async function triagePage(
  db: Executor,
  now: Date,
  windowDays: number,
  limit: number,
  offset: number,
): Promise<TriageRow[]> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const raw = await queryRows<Record<string, unknown>>(
    db,
    sql`with agg as (
      -- Inner join, so the planner hashes the 10k patients and streams the summaries past them.
      select d.patient_id, sum(d.count)::int as n, sum(d.valued_count)::int as valued,
        sum(d.sum_mg_dl)::float8 as sum, sum(d.sum_sq_mg_dl)::float8 as sum_sq,
        sum(d.very_low)::int as vl, sum(d.low)::int as lo, sum(d.in_range)::int as ir,
        sum(d.high)::int as hi, sum(d.very_high)::int as vh, count(*)::int as days
      from reading_day_summaries d
        -- offset 0: each patient's local "today" is computed once, not once per summary row.
        join (select p.id, (${at} at time zone p.timezone)::date as today from patients p offset 0) p
          on p.id = d.patient_id
      where d.count > 0 and d.day > p.today - ${windowDays}::int and d.day <= p.today
        -- A bound every timezone satisfies, so the day index narrows the scan before the join.
        and d.day >= (${at} at time zone 'UTC')::date - ${windowDays + 2}::int
      group by d.patient_id
    ),
    s as (
      select pt.id, pt.name, pt.surname, pt.last_reading_at, coalesce(agg.n, 0) as n,
        coalesce(agg.valued, 0) as valued, agg.sum, agg.sum_sq, coalesce(agg.vl, 0) as vl, coalesce(agg.lo, 0) as lo,
        coalesce(agg.ir, 0) as ir, coalesce(agg.hi, 0) as hi, coalesce(agg.vh, 0) as vh, coalesce(agg.days, 0) as days
      from patients pt left join agg on agg.patient_id = pt.id
    ),
    m as (
      select s.*,
        ${sql.raw(pct('vl'))} as p_vl, ${sql.raw(pct('(vl + lo)'))} as p_below,
        ${sql.raw(pct('ir'))} as p_ir, ${sql.raw(pct('(hi + vh)'))} as p_above, ${sql.raw(pct('vh'))} as p_vh,
        case when valued > 0 and sum > 0 then 100 * sqrt(greatest(0, sum_sq / valued - (sum / valued) ^ 2))
          / (sum / valued) end as cv,
        -- least() ignores nulls: without readings there is no GRI, not 100.
        case when n > 0 then least(100, 3 * (${sql.raw(pct('vl'))} + 0.8 * ${sql.raw(pct('lo'))})
          + 1.6 * (${sql.raw(pct('vh'))} + 0.5 * ${sql.raw(pct('hi'))})) end as gri,
        extract(epoch from ${at} - last_reading_at)::float8 / 86400 as days_since
      from s
    ),
    t as (
      select m.*, case
        when p_vl > 1 or p_below > 4 then 1
        when last_reading_at is null or days_since >= ${TRIAGE_NO_DATA_DAYS} or n = 0 then 2
        when p_ir < 70 or p_above > 25 or p_vh > 5 or cv > ${CV_STABLE_MAX} then 3
        else 4 end as tier
      from m
    )
    select id, name, surname, tier, n, valued, sum, sum_sq, vl, lo, ir, hi, vh, days, last_reading_at, days_since,
      gri::float8 as gri, count(*) over () as total
    from t
    order by tier,
      case when tier = 1 then p_vl end desc nulls last,
      case when tier = 1 then p_below end desc nulls last,
      case when tier = 2 then coalesce(days_since, 1e9) end desc nulls last,
      gri desc nulls last, id
    limit ${limit}::int offset ${offset}::int`,
  );
  return raw.map((r) => ({
    id: Number(r.id),
    name: r.name as string,
    surname: r.surname as string,
    tier: Number(r.tier),
    n: Number(r.n),
    valued: Number(r.valued),
    sum: toNum(r.sum),
    sum_sq: toNum(r.sum_sq),
    bands: [Number(r.vl), Number(r.lo), Number(r.ir), Number(r.hi), Number(r.vh)],
    days: Number(r.days),
    last_reading_at: r.last_reading_at ? new Date(r.last_reading_at as string | Date) : null,
    days_since: toNum(r.days_since),
    gri: toNum(r.gri),
    total: Number(r.total),
  }));
}

/** Total patients (the triage list covers all of them), for an empty page past the end. */
export async function patientCount(db: Executor): Promise<number> {
  const [row] = await queryRows<{ n: string }>(db, sql`select count(*) as n from patients`);
  return Number(row?.n ?? 0);
}

const toNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
