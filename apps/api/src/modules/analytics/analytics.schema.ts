/**
 * Analytics schemas: statistics (`/stats`), the AGP percentile profile (`/agp`) and the clinician
 * triage list (`/v1/triage`). Every statistics answer carries its window, timezone, thresholds and
 * sufficiency (clinical.md), so a reader can see why a value is missing.
 */
import { type Static, Type } from 'typebox';
import { offsetPageQuery } from '../../lib/paging.js';
import type { RoutePolicy } from '../../lib/principal.js';
import { Timezone } from '../patients/patients.schema.js';

/** Staff, and a patient for their own record only (anyone else's is 404). Devices never read. */
/** Statistics show reading values: the same readers as the readings themselves. */
export { READING_VALUE_READERS as STAFF_OR_SELF } from '../readings/readings.schema.js';
/** api.md: the triage list is the clinicians' work list. */
export const CLINICIAN_ONLY: RoutePolicy = { audience: 'backoffice', roles: ['clinician'] };

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const Num = (description?: string) => Nullable(Type.Number(description ? { description } : {}));
const Count = Type.Integer({ minimum: 0 });

/** An instant, or a local calendar date in the window's timezone (`from`: its start; `to`: its end). */
const WindowBound = Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })], {
  description: 'ISO 8601 instant, or YYYY-MM-DD read in the window timezone (to: the whole day is included)',
});

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

export const WindowQuery = Type.Object({
  from: Type.Optional(WindowBound),
  to: Type.Optional(WindowBound),
  tz: Type.Optional(Timezone),
});
export type WindowQuery = Static<typeof WindowQuery>;

export const Window = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time', description: 'Exclusive' }),
  timezone: Type.String(),
  days: Type.Number({ description: 'Length in local calendar days (DST-independent)' }),
});

const BandFields = {
  percent: Num('Time-weighted for CGM data, by count otherwise (see bands.basis)'),
  minutes: Num('CGM minutes in the band (time-weighted); null without CGM data'),
  timePercent: Num('Percent of counted CGM time'),
  count: Count,
  countPercent: Num('Percent of readings, unweighted'),
};
export const Band = Type.Object(BandFields);

export const Bands = Type.Object({
  basis: Type.Union([Type.Literal('time'), Type.Literal('count')]),
  veryLow: Band,
  low: Band,
  inRange: Band,
  high: Band,
  veryHigh: Band,
});

export const Range = Type.Object({
  lowMgDl: Type.Integer(),
  highMgDl: Type.Integer(),
  ...BandFields,
});

export const Thresholds = Type.Object({
  veryLow: Type.Integer(),
  low: Type.Integer(),
  high: Type.Integer(),
  veryHigh: Type.Integer(),
  target: Type.Object({ low: Type.Integer(), high: Type.Integer() }),
  tight: Type.Object({ low: Type.Integer(), high: Type.Integer() }),
  classification: Type.String(),
});

export const Sufficiency = Type.Object({
  sufficient: Type.Boolean(),
  percentActive: Type.Number({ description: 'CGM readings ÷ (window minutes ÷ sampling interval)' }),
  intervalMinutes: Type.Integer({ description: 'Sampling interval: 5, or 15 when inferred from the data' }),
  daysWithData: Count,
  windowDays: Type.Number(),
  reasons: Type.Array(Type.String()),
});

export const Episode = Type.Object({
  count: Count,
  minutes: Type.Number(),
  longestMinutes: Type.Number(),
});

export const Episodes = Type.Object({
  hypo: Episode,
  severeHypo: Episode,
  hyper: Episode,
  severeHyper: Episode,
  definition: Type.String(),
});

export const Gri = Type.Object({
  value: Type.Number(),
  hypoComponent: Type.Number(),
  hyperComponent: Type.Number(),
  zone: Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C'), Type.Literal('D'), Type.Literal('E')]),
});

export const DayCount = Type.Object({
  date: Type.String({ format: 'date' }),
  count: Count,
  valuedCount: Count,
  meanMgDl: Num(),
});

export const ContextPattern = Type.Object({
  context: Type.String(),
  count: Count,
  valuedCount: Count,
  meanMgDl: Num(),
  sdMgDl: Num(),
  minMgDl: Num(),
  maxMgDl: Num(),
  veryLow: Count,
  low: Count,
  inRange: Count,
  high: Count,
  veryHigh: Count,
});

const windowStatsFields = {
  window: Window,
  count: Type.Integer({ minimum: 0, description: 'Readings, LO/HI flags included' }),
  valuedCount: Type.Integer({ minimum: 0, description: 'Readings with a number (mean, SD, GMI use these)' }),
  cgmCount: Count,
  meanMgDl: Num(),
  sdMgDl: Num('Population standard deviation'),
  cvPercent: Num(),
  cvStable: Type.Union([Type.Boolean(), Type.Null()]),
  minMgDl: Num(),
  maxMgDl: Num(),
  gmi: Type.Union([Type.Object({ percent: Type.Number(), mmolPerMol: Type.Number() }), Type.Null()]),
  bands: Bands,
  target: Range,
  tightRange: Range,
  gri: Type.Union([Gri, Type.Null()]),
  thresholds: Thresholds,
  sufficiency: Sufficiency,
  episodes: Episodes,
  readingsPerDay: Type.Object({ average: Type.Number(), days: Type.Array(DayCount) }),
  byContext: Type.Array(ContextPattern),
};

export const WindowStats = Type.Object(windowStatsFields, { title: 'WindowStats' });
export type WindowStats = Static<typeof WindowStats>;

export const Stats = Type.Object(
  { ...windowStatsFields, previous: WindowStats },
  { title: 'Stats', description: '`previous`: the same keys for the window of equal length just before' },
);
export type Stats = Static<typeof Stats>;

export const AgpBin = Type.Object({
  bin: Type.Integer({ minimum: 0, maximum: 95 }),
  start: Type.String({ description: 'Local wall-clock start of the 15-minute bin, HH:MM' }),
  hasData: Type.Boolean(),
  count: Count,
  belowRangeCount: Count,
  aboveRangeCount: Count,
  p5: Num(),
  p25: Num(),
  p50: Num(),
  p75: Num(),
  p95: Num(),
});

export const Agp = Type.Object(
  {
    window: Window,
    binMinutes: Type.Literal(15),
    count: Count,
    daysWithData: Count,
    thresholds: Thresholds,
    bins: Type.Array(AgpBin, { minItems: 96, maxItems: 96 }),
    note: Type.String(),
  },
  { title: 'Agp' },
);
export type Agp = Static<typeof Agp>;

export const TriageQuery = Type.Object(offsetPageQuery);
export type TriageQuery = Static<typeof TriageQuery>;

export const TRIAGE_TIERS = ['hypoglycemia', 'no_recent_data', 'above_targets', 'on_target'] as const;

export const TriageEntry = Type.Object({
  rank: Type.Integer({ minimum: 1 }),
  patientId: Type.Integer(),
  name: Type.String(),
  surname: Type.String(),
  tier: Type.Union([
    Type.Literal('hypoglycemia'),
    Type.Literal('no_recent_data'),
    Type.Literal('above_targets'),
    Type.Literal('on_target'),
  ]),
  flags: Type.Array(Type.String()),
  count: Count,
  daysWithData: Count,
  lastReadingAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  daysSinceLastReading: Num(),
  meanMgDl: Num(),
  cvPercent: Num(),
  gri: Num(),
  percent: Type.Object({
    veryLow: Num(),
    low: Num(),
    inRange: Num(),
    high: Num(),
    veryHigh: Num(),
  }),
});

export const TriagePage = Type.Object(
  {
    data: Type.Array(TriageEntry),
    total: Type.Integer({ minimum: 0 }),
    page: Type.Integer(),
    perPage: Type.Integer(),
    windowDays: Type.Integer(),
    basis: Type.Literal('count'),
    ranking: Type.String(),
  },
  { title: 'TriagePage' },
);
export type TriagePage = Static<typeof TriagePage>;
