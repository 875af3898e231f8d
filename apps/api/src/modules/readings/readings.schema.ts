/** Request and response schemas of the readings routes (api.md, Readings). */
import { Cursor, Id, IsoDateTime, KeysetPage } from '@diabetify/contracts';
import { type Static, Type } from 'typebox';
import { READING_CONTEXTS, READING_SOURCES, SAMPLE_LOCATIONS, SAMPLE_TYPES } from '../../db/schema/readings.js';
import type { RoutePolicy } from '../../lib/principal.js';

/**
 * Who may read reading values (lists, statistics, AGP, exports): the patient (own only — checked
 * per record), clinicians, and admins (data export). The front desk (assistant) is refused:
 * product.md, "no readings values beyond what the queue needs".
 */
export const READING_VALUE_READERS: RoutePolicy = { audience: 'any', roles: ['patient', 'clinician', 'admin'] };

export const MAX_BATCH = 1000;
export const MAX_NOTES = 1000;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** A string enum (`{ enum: [...] }` in the OpenAPI document, a union of literals statically). */
const enumOf = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Enum(values, description ? { description } : {});

export const ReadingContext = enumOf(READING_CONTEXTS);
export const ReadingSource = enumOf(READING_SOURCES);
export const SampleType = enumOf(SAMPLE_TYPES, 'Bluetooth Glucose Profile sample type');
export const SampleLocation = enumOf(SAMPLE_LOCATIONS);
export const GlucoseUnit = Type.Union([Type.Literal('mg/dL'), Type.Literal('mmol/L')]);

/** An instant with an explicit offset (`Z` or `±hh:mm`): a reading without one is ambiguous. */
const InstantWithOffset = Type.String({
  format: 'date-time',
  pattern: '(Z|z|[+-][0-9]{2}:[0-9]{2})$',
  description: 'ISO 8601 with offset; at most 10 minutes in the future',
});

/** Fields a client sets on a new reading (one item of a batch, or the single create). */
const readingInputFields = {
  patientId: Type.Optional(Id),
  valueMgDl: Type.Optional(Type.Number({ description: 'mg/dL, 10–1000' })),
  value: Type.Optional(
    Type.Union([Type.Number(), Type.Literal('LO'), Type.Literal('HI')], {
      description: 'In `unit`; or the meter flags "LO" / "HI" (below / above the measurable range)',
    }),
  ),
  unit: Type.Optional(GlucoseUnit),
  measuredAt: InstantWithOffset,
  context: Type.Optional(ReadingContext),
  source: Type.Optional(ReadingSource),
  deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  sequenceNumber: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
  sampleType: Type.Optional(SampleType),
  sampleLocation: Type.Optional(SampleLocation),
  notes: Type.Optional(Type.String({ maxLength: MAX_NOTES })),
};

export const CreateReadingBody = Type.Object(readingInputFields, {
  additionalProperties: false,
  description: 'Exactly one of `valueMgDl` or `value` (+ `unit`, default mg/dL). Staff must give `patientId`.',
});
export type CreateReadingBody = Static<typeof CreateReadingBody>;

/**
 * Batch items are validated one by one by the service (a bad item must not fail the batch), so the
 * route schema only bounds the envelope.
 */
export const BatchBody = Type.Object(
  {
    readings: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: MAX_BATCH,
      description: `Up to ${MAX_BATCH} items shaped like the single create body`,
    }),
  },
  { additionalProperties: false },
);
export type BatchBody = Static<typeof BatchBody>;

export const Reading = Type.Object(
  {
    id: Id,
    patientId: Id,
    valueMgDl: Type.Union([Type.Number(), Type.Null()], { description: 'null for a LO/HI flag' }),
    valueMmolL: Type.Union([Type.Number(), Type.Null()], { description: 'display value, one decimal' }),
    belowMeasurableRange: Type.Boolean(),
    aboveMeasurableRange: Type.Boolean(),
    unit: GlucoseUnit,
    measuredAt: IsoDateTime,
    context: ReadingContext,
    source: ReadingSource,
    deviceId: Type.Union([Type.String(), Type.Null()]),
    sequenceNumber: Type.Union([Type.Integer(), Type.Null()]),
    sampleType: Type.Union([SampleType, Type.Null()]),
    sampleLocation: Type.Union([SampleLocation, Type.Null()]),
    notes: Type.Union([Type.String(), Type.Null()]),
    revision: Type.Integer({ minimum: 1 }),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
  },
  { title: 'Reading' },
);
export type Reading = Static<typeof Reading>;

export const BatchItemResult = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    status: Type.Union([Type.Literal('created'), Type.Literal('duplicate'), Type.Literal('invalid')]),
    id: Type.Optional(Id),
    errors: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { title: 'BatchItemResult' },
);
export const BatchResult = Type.Object({
  created: Type.Integer({ minimum: 0 }),
  duplicates: Type.Integer({ minimum: 0 }),
  invalid: Type.Integer({ minimum: 0 }),
  results: Type.Array(BatchItemResult),
});
export type BatchResult = Static<typeof BatchResult>;

export const ListQuery = Type.Object(
  {
    from: Type.Optional(IsoDateTime),
    to: Type.Optional(IsoDateTime),
    context: Type.Optional(ReadingContext),
    source: Type.Optional(ReadingSource),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;
export const ReadingPage = KeysetPage(Reading);

export const ChangesQuery = Type.Object(
  {
    since: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT * 4 })),
  },
  { additionalProperties: false },
);
export type ChangesQuery = Static<typeof ChangesQuery>;

export const ReadingChange = Type.Object(
  {
    changeSeq: Type.Integer({ minimum: 1, description: 'Position in the patient change feed' }),
    deleted: Type.Boolean(),
    deletedAt: Type.Union([IsoDateTime, Type.Null()]),
    reading: Reading,
  },
  { title: 'ReadingChange' },
);
export const ChangesPage = Type.Object({
  data: Type.Array(ReadingChange),
  nextCursor: Type.String({ description: 'Pass as `since` next time; unchanged when nothing is new' }),
  hasMore: Type.Boolean(),
});

export const UpdateReadingBody = Type.Object(
  {
    valueMgDl: Type.Optional(Type.Number()),
    value: Type.Optional(Type.Union([Type.Number(), Type.Literal('LO'), Type.Literal('HI')])),
    unit: Type.Optional(GlucoseUnit),
    measuredAt: Type.Optional(InstantWithOffset),
    context: Type.Optional(ReadingContext),
    sampleLocation: Type.Optional(SampleLocation),
    notes: Type.Optional(Type.Union([Type.String({ maxLength: MAX_NOTES }), Type.Null()])),
    revision: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Expected current revision; a mismatch is 409 stale_revision' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateReadingBody = Static<typeof UpdateReadingBody>;

export const ReadingIdParams = Type.Object({ id: Id });
export const PatientIdParams = Type.Object({ id: Id });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$', description: 'Replays stored 24 h' }),
  ),
});

export const Achievement = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  attribute: Type.Union([Type.Literal('times_measured'), Type.Literal('max_streak')]),
  threshold: Type.Integer(),
  progress: Type.Integer({ minimum: 0 }),
  got: Type.Boolean(),
});
export const Achievements = Type.Object({
  timesMeasured: Type.Integer({ minimum: 0 }),
  streak: Type.Integer({ minimum: 0 }),
  maxStreak: Type.Integer({ minimum: 0 }),
  fourTimesToday: Type.Integer({ minimum: 0, maximum: 3 }),
  streakLastDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  timezone: Type.String(),
  achievements: Type.Array(Achievement),
});
export type Achievements = Static<typeof Achievements>;
