/**
 * Queries of the readings export (the only export file that touches the query builder). Readings
 * are read in keyset chunks on `(measured_at, id)`, oldest first, so an export of any size holds
 * one chunk in memory and each query is short (PGlite has a single connection: a long-lived
 * cursor would block every other request for the whole download).
 */
import { and, eq, gte, isNull, lt, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { patients, readings } from '../../db/schema/index.js';
import type { ReadingDetails } from './readings.rules.js';

export interface ExportPatient {
  id: number;
  name: string;
  surname: string;
  dni: string;
  birthDate: string | null;
  diabetesType: string | null;
  timezone: string;
  /** The unit the patient reads glucose in; the report shows values in it. */
  glucoseUnit: 'mg/dL' | 'mmol/L';
  targetLowMgDl: number;
  targetHighMgDl: number;
}

export async function findExportPatient(db: Executor, id: number): Promise<ExportPatient | null> {
  const [row] = await db
    .select({
      id: patients.id,
      name: patients.name,
      surname: patients.surname,
      dni: patients.dni,
      birthDate: patients.birthDate,
      diabetesType: patients.diabetesType,
      timezone: patients.timezone,
      glucoseUnit: patients.glucoseUnit,
      targetLowMgDl: patients.targetLowMgDl,
      targetHighMgDl: patients.targetHighMgDl,
    })
    .from(patients)
    .where(eq(patients.id, id));
  return row ? { ...row, glucoseUnit: row.glucoseUnit === 'mmol/L' ? 'mmol/L' : 'mg/dL' } : null;
}

export interface ExportReading extends ReadingDetails {
  id: number;
  valueMgDl: number | null;
  rangeFlag: 'LO' | 'HI' | null;
  unit: string;
}

/**
 * Keyset position: the last row's instant in epoch microseconds (a JS Date keeps milliseconds
 * only, and a truncated position would repeat or skip rows that share a millisecond) and its id.
 */
export interface ExportPosition {
  atMicros: string;
  id: number;
}

export interface ReadingChunk {
  rows: ExportReading[];
  last: ExportPosition | null;
}

/**
 * Up to `limit` live readings of the patient in `[from, to)` after `after`, oldest first. Served by
 * the `(patient_id, measured_at desc, id desc) where deleted_at is null` index, scanned backwards.
 */
export async function readingsChunk(
  db: Executor,
  patientId: number,
  from: Date,
  to: Date,
  after: ExportPosition | null,
  limit: number,
): Promise<ReadingChunk> {
  const conditions = [
    eq(readings.patientId, patientId),
    isNull(readings.deletedAt),
    gte(readings.measuredAt, from),
    lt(readings.measuredAt, to),
  ];
  if (after) {
    conditions.push(
      sql`(${readings.measuredAt}, ${readings.id}) > (timestamptz 'epoch' + ${after.atMicros}::int8 * interval '1 microsecond', ${after.id})`,
    );
  }
  const rows = await db
    .select({
      id: readings.id,
      valueMgDl: readings.valueMgDl,
      rangeFlag: readings.rangeFlag,
      unit: readings.unit,
      measuredAt: readings.measuredAt,
      context: readings.context,
      source: readings.source,
      deviceId: readings.deviceId,
      sequenceNumber: readings.sequenceNumber,
      sampleType: readings.sampleType,
      sampleLocation: readings.sampleLocation,
      notes: readings.notes,
      atMicros: sql<string>`(extract(epoch from ${readings.measuredAt}) * 1000000)::int8::text`,
    })
    .from(readings)
    .where(and(...conditions))
    // `nulls first` (never met: both columns are NOT NULL) makes the order the exact reverse of the
    // index's `desc nulls last`, so PostgreSQL scans the index backwards instead of sorting the window.
    .orderBy(sql`${readings.measuredAt} asc nulls first`, sql`${readings.id} asc nulls first`)
    .limit(limit);
  const tail = rows[rows.length - 1];
  return {
    rows: rows.map(({ atMicros: _, ...r }) => ({ ...r, rangeFlag: r.rangeFlag as ExportReading['rangeFlag'] })),
    last: tail ? { atMicros: String(tail.atMicros), id: tail.id } : null,
  };
}

export interface DayPoint {
  /** Local day of the patient, YYYY-MM-DD. */
  day: string;
  /** Minutes after local midnight. */
  minute: number;
  valueMgDl: number;
}

/**
 * Points for the report's daily profiles: per local day, readings averaged into `bucketMinutes`
 * buckets (a CGM day becomes ≤ 1440 / bucket points), only the last `maxDays` days with data,
 * and never more than `maxPoints` rows whatever the data. LO/HI flags have no value to draw.
 */
export async function dailyProfilePoints(
  db: Executor,
  patientId: number,
  from: Date,
  to: Date,
  timezone: string,
  opts: { bucketMinutes: number; maxDays: number; maxPoints: number },
): Promise<DayPoint[]> {
  const local = sql`(${readings.measuredAt} at time zone ${timezone})`;
  const rows = await queryRows<{ day: string; minute: number | string; value: number | string }>(
    db,
    sql`
    with points as (
      select ${local}::date as day,
        (floor((extract(hour from ${local}) * 60 + extract(minute from ${local})) / ${opts.bucketMinutes})
          * ${opts.bucketMinutes})::int as minute,
        avg(${readings.valueMgDl})::float8 as value
      from ${readings}
      where ${readings.patientId} = ${patientId} and ${readings.deletedAt} is null
        and ${readings.measuredAt} >= ${from.toISOString()}::timestamptz
        and ${readings.measuredAt} < ${to.toISOString()}::timestamptz
        and ${readings.valueMgDl} is not null
        and ${readings.sampleType} is distinct from 'control_solution'
      group by 1, 2
    ),
    days as (select distinct day from points order by day desc limit ${opts.maxDays})
    select to_char(p.day, 'YYYY-MM-DD') as day, p.minute, p.value
    from points p join days d on d.day = p.day
    order by p.day, p.minute
    limit ${opts.maxPoints}`,
  );
  return rows.map((r) => ({
    day: r.day,
    minute: Number(r.minute),
    valueMgDl: Number(r.value),
  }));
}

/** One quarter of the local day (0 = 00–06, 1 = 06–12, 2 = 12–18, 3 = 18–24) of a meter report. */
export interface PeriodSummary {
  period: 0 | 1 | 2 | 3;
  count: number;
  meanMgDl: number | null;
  minMgDl: number | null;
  maxMgDl: number | null;
  /** Consensus bands (rounded whole mg/dL; LO counts below, HI above): < 70, 70–180, > 180. */
  below: number;
  inRange: number;
  above: number;
}

/**
 * The window's readings grouped by quarter of the patient's local day: what a meter's few readings
 * a day can show instead of an AGP. One grouped query, at most four rows.
 */
export async function readingsByTimeOfDay(
  db: Executor,
  patientId: number,
  from: Date,
  to: Date,
  timezone: string,
): Promise<PeriodSummary[]> {
  const hour = sql`extract(hour from (${readings.measuredAt} at time zone ${timezone}))`;
  const v = sql`round(${readings.valueMgDl})`;
  const rows = await queryRows<Record<string, string | number | null>>(
    db,
    sql`
    select floor(${hour} / 6)::int as period, count(*)::int as count,
      avg(${readings.valueMgDl})::float8 as mean, min(${readings.valueMgDl})::float8 as min,
      max(${readings.valueMgDl})::float8 as max,
      count(*) filter (where ${readings.rangeFlag} = 'LO' or ${v} < 70)::int as below,
      count(*) filter (where ${v} between 70 and 180)::int as in_range,
      count(*) filter (where ${readings.rangeFlag} = 'HI' or ${v} > 180)::int as above
    from ${readings}
    where ${readings.patientId} = ${patientId} and ${readings.deletedAt} is null
      and ${readings.measuredAt} >= ${from.toISOString()}::timestamptz
      and ${readings.measuredAt} < ${to.toISOString()}::timestamptz
      and ${readings.sampleType} is distinct from 'control_solution'
    group by 1 order by 1`,
  );
  const n = (x: string | number | null | undefined) => (x === null || x === undefined ? null : Number(x));
  return rows.map((r) => ({
    period: Number(r.period) as PeriodSummary['period'],
    count: Number(r.count),
    meanMgDl: n(r.mean),
    minMgDl: n(r.min),
    maxMgDl: n(r.max),
    below: Number(r.below),
    inRange: Number(r.in_range),
    above: Number(r.above),
  }));
}
