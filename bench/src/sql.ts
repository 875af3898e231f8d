/**
 * The bare SQL behind the platform scenarios: the best each query can be with the schema's
 * indexes, run through plain `pg` with named (prepared) statements. The readings capability's
 * own queries will be measured against these.
 */

/** Columns a reading page returns (everything the API would serialise). */
const READING_COLUMNS =
  'id, patient_id, value_mg_dl, unit, measured_at, context, source, device_id, sequence_number, notes, created_at, updated_at';

/**
 * One page of 50, newest first, after a keyset cursor (measured_at, id). The index is
 * (patient_id, measured_at DESC NULLS LAST, id ASC), so ties on measured_at continue with larger
 * ids and the scan is a single range of the index: no sort, no offset. The ORDER BY must say
 * NULLS LAST like the index (drizzle's `.desc()` emits it) even though the column is NOT NULL:
 * plain `DESC` means NULLS FIRST, the planner then cannot use the index order and sorts every
 * earlier reading of the patient (measured: 0.03 ms → 3–8 ms per page for a 25k-reading patient).
 */
export const PAGE_SQL = `
select ${READING_COLUMNS}
from readings
where patient_id = $1 and measured_at <= $2::timestamptz and (measured_at < $2::timestamptz or id > $3)
order by measured_at desc nulls last, id asc
limit 50`;

/** Every key of the patient, to draw cursors from (run once, outside the measured window). */
export const PAGE_KEYS_SQL = `
select measured_at, id::text as id from readings where patient_id = $1 order by measured_at desc nulls last, id asc`;

/**
 * The statistics of a window (clinical consensus metrics): count, mean, SD, CV, GMI, time in the
 * five ranges, and the percentiles the summary shows — one pass over the patient's index range.
 * No per-row casts: numeric → float8 goes through text and doubled the query's time (measured
 * 45 → 25 ms for 25k readings); ranges are FILTERed counts, ratios are taken after aggregation.
 */
export const STATS_SQL = `
select n::int as n, mean_mg_dl::float8, sd_mg_dl::float8,
       (100 * sd_mg_dl / nullif(mean_mg_dl, 0))::float8 as cv_pct,
       (3.31 + 0.02392 * mean_mg_dl)::float8 as gmi_pct,
       very_low::float8 / nullif(n, 0) as very_low, low::float8 / nullif(n, 0) as low,
       in_range::float8 / nullif(n, 0) as in_range, high::float8 / nullif(n, 0) as high,
       very_high::float8 / nullif(n, 0) as very_high,
       percentiles, first_at, last_at
from (
  select count(*) as n,
         avg(value_mg_dl) as mean_mg_dl,
         stddev_samp(value_mg_dl) as sd_mg_dl,
         count(*) filter (where value_mg_dl < 54) as very_low,
         count(*) filter (where value_mg_dl >= 54 and value_mg_dl < 70) as low,
         count(*) filter (where value_mg_dl >= 70 and value_mg_dl <= 180) as in_range,
         count(*) filter (where value_mg_dl > 180 and value_mg_dl <= 250) as high,
         count(*) filter (where value_mg_dl > 250) as very_high,
         percentile_cont(array[0.05, 0.25, 0.5, 0.75, 0.95]) within group (order by value_mg_dl) as percentiles,
         min(measured_at) as first_at,
         max(measured_at) as last_at
  from readings
  where patient_id = $1 and measured_at > $2::timestamptz - make_interval(days => $3) and measured_at <= $2::timestamptz
) a`;

/** Ambulatory glucose profile: percentiles per 15-minute slot of the patient's local day. */
export const AGP_SQL = `
select (extract(hour from local_at) * 4 + floor(extract(minute from local_at) / 15))::int as slot,
       percentile_cont(array[0.05, 0.25, 0.5, 0.75, 0.95]) within group (order by value_mg_dl) as percentiles
from (
  select value_mg_dl, measured_at at time zone $4 as local_at
  from readings
  where patient_id = $1 and measured_at > $2::timestamptz - make_interval(days => $3) and measured_at <= $2::timestamptz
) w
group by 1
order by 1`;

/**
 * A sync batch: the seed loader's multi-row unnest insert (apps/api bulk.ts) with device dedup —
 * readings already stored (same patient, device and record counter) are skipped, not errors.
 */
export const INSERT_SQL = `
insert into readings (patient_id, value_mg_dl, measured_at, context, source, device_id, sequence_number)
select r.patient_id, r.value_mg_dl, to_timestamp(r.at_ms / 1000), r.context, r.source, r.device_id, r.seq
from unnest($1::bigint[], $2::numeric[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::integer[])
  as r(patient_id, value_mg_dl, at_ms, context, source, device_id, seq)
on conflict (patient_id, device_id, sequence_number) do nothing`;

/** The dedup key the readings capability adds; created by the harness while it does not exist. */
export const DEDUP_INDEX_NAME = 'bench_readings_device_seq_uq';
export const DEDUP_INDEX_SQL = `create unique index if not exists ${DEDUP_INDEX_NAME} on readings (patient_id, device_id, sequence_number)`;

/** Does some unique index already cover exactly (patient_id, device_id, sequence_number)? */
export const HAS_DEDUP_INDEX_SQL = `
select exists (
  select 1 from pg_index i
  join pg_class t on t.oid = i.indrelid and t.relname = 'readings'
  where i.indisunique and i.indpred is null
    and (select array_agg(a.attname::text order by k.ord)
         from unnest(i.indkey) with ordinality k(attnum, ord)
         join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum)
        = array['patient_id', 'device_id', 'sequence_number']
) as present`;
