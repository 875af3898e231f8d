/**
 * Patient gateway: glucose readings and achievements (legacy-compat.md A.4, A.5, E.8, E.9, E.12,
 * E.15, E.16). Adapter only: a create is ReadingsService.create with source `manual` (so the
 * gamification counters, change feed, day summaries, audit row and event all happen there); reads
 * go through ReadingQueries (audited; another patient's readings are unreachable by construction,
 * the patient id comes from the token). This file maps the query string and the wire shapes.
 *
 * `GET /glucose/mine` has no pagination (E.12): the history is read in bounded keyset chunks and
 * streamed out as it is read, so a CGM user's years of readings never sit in memory at once.
 */
import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Actor } from '../../lib/authorization.js';
import { AppError } from '../../lib/errors.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import { readingsService } from '../readings/index.js';
import { ReadingQueries } from '../readings/readings.queries.js';
import { contextFromLegacy, LEGACY_READING_TYPES, type LegacyReadingType } from '../readings/readings.rules.js';
import type { ReadingRow } from '../readings/readings.view.js';
import { LEGACY_PATIENT, patientIdOf } from './legacy.auth.js';
import { type FastApiIssue, LegacyValidationError } from './legacy.errors.js';
import { Detail, ValidationDetail } from './legacy.responses.js';
import { LegacyReading, LegacyReadings, toLegacyReading } from './legacy.views.js';

/** `/glucose/mine/latest` (A.4): the last 15 days. */
export const LATEST_DAYS = 15;

const CreateQuery = Type.Object({
  glucose_level: Type.Number({ description: 'mg/dL (10–1000); echoed back as sent (one decimal kept)' }),
  // `enum` rather than a union of literals: one 422 issue for a wrong value, not one per member.
  reading_type: Type.Enum(Object.keys(LEGACY_READING_TYPES) as LegacyReadingType[]),
  notes: Type.Optional(Type.String({ maxLength: 1000 })),
  created_at: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'ISO 8601 with offset (the app sends UTC); the reading time. Default: now',
    }),
  ),
});

const Streak = Type.Object({
  streak: Type.Integer({ minimum: 0 }),
  max_streak: Type.Integer({ minimum: 0 }),
  four_times_today: Type.Integer({ minimum: 0, maximum: 3 }),
  streak_last_date: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description: 'YYYY-MM-DD (clinic day of the last streak advance); null before the first',
  }),
});

const Achievement = Type.Object({
  ach_id: Type.Integer(),
  name: Type.String(),
  attribute: Type.Union([Type.Literal('times_measured'), Type.Literal('max_streak')]),
  got: Type.Boolean(),
  progress: Type.Integer(),
  threshold: Type.Integer(),
});

function actorOf(request: FastifyRequest): Actor {
  return { kind: 'patient', id: patientIdOf(request), roles: ['patient'] };
}

/** Domain field names → the query parameters the app sent. */
const WIRE: Record<string, string> = {
  valueMgDl: 'glucose_level',
  value: 'glucose_level',
  measuredAt: 'created_at',
  context: 'reading_type',
  notes: 'notes',
};

/** A refusal of the readings rules (range, reading time) → FastAPI's 422 list with its message. */
function createError(err: unknown): never {
  if (err instanceof AppError && err.code === 'validation_failed') {
    const issues: FastApiIssue[] = Object.entries(err.errors ?? {}).map(([key, msg]) => {
      const field = key.replace(/^body\./, '');
      return { loc: ['query', WIRE[field] ?? field], msg, type: 'value_error' };
    });
    throw new LegacyValidationError(
      issues.length > 0 ? issues : [{ loc: ['query'], msg: err.message, type: 'value_error' }],
    );
  }
  throw err;
}

/** `{"readings":[…]}` written chunk by chunk as the keyset reads come back (backpressure included). */
function streamReadings(reply: FastifyReply, chunks: AsyncIterable<ReadingRow[]>, timezone: string) {
  async function* json() {
    yield '{"readings":[';
    let separator = '';
    for await (const rows of chunks) {
      let text = '';
      for (const row of rows) {
        // toLegacyReading builds exactly the LegacyReading fields, so plain JSON is the wire shape.
        text += separator + JSON.stringify(toLegacyReading(row, timezone));
        separator = ',';
      }
      if (text) yield text;
    }
    yield ']}';
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(json()));
}

export default async function gatewayGlucoseRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const writes = readingsService(root);
  const reads = new ReadingQueries({ db: root.db.db, audit: root.audit, clock: root.clock, writes });
  const timezone = root.config.clinic.timezone;

  app.post(
    '/glucose/create',
    {
      config: { auth: LEGACY_PATIENT },
      schema: {
        tags: ['glucose'],
        summary: 'Record a reading from the query string (no body; an empty JSON body is accepted)',
        querystring: CreateQuery,
        response: { 201: LegacyReading, 401: Detail, 422: ValidationDetail },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const body = {
        valueMgDl: q.glucose_level,
        measuredAt: q.created_at ?? root.clock.now().toISOString(),
        context: contextFromLegacy(q.reading_type as LegacyReadingType),
        source: 'manual' as const,
        ...(q.notes === undefined ? {} : { notes: q.notes }),
      };
      let created: Awaited<ReturnType<typeof writes.create>>;
      try {
        created = await writes.create(actorOf(request), auditOrigin(request), body);
      } catch (err) {
        createError(err);
      }
      const r = created.body;
      const reading = toLegacyReading(
        {
          id: r.id,
          patientId: r.patientId,
          valueMgDl: r.valueMgDl,
          rangeFlag: null,
          context: r.context,
          notes: r.notes,
          measuredAt: new Date(r.measuredAt),
        },
        timezone,
      );
      return reply.code(201).send(reading);
    },
  );

  app.get(
    '/glucose/mine',
    {
      config: { auth: LEGACY_PATIENT },
      schema: {
        tags: ['glucose'],
        summary: 'All your readings, oldest first (no pagination; streamed)',
        response: { 200: LegacyReadings, 401: Detail },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const chunks = await reads.streamOldestFirst(actor, auditOrigin(request), actor.id);
      return streamReadings(reply, chunks, timezone);
    },
  );

  app.get(
    '/glucose/mine/latest',
    {
      config: { auth: LEGACY_PATIENT },
      schema: {
        tags: ['glucose'],
        summary: `Your readings of the last ${LATEST_DAYS} days, oldest first`,
        response: { 200: LegacyReadings, 401: Detail },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const from = new Date(root.clock.now().getTime() - LATEST_DAYS * 86_400_000);
      const chunks = await reads.streamOldestFirst(actor, auditOrigin(request), actor.id, { from });
      return streamReadings(reply, chunks, timezone);
    },
  );

  app.get(
    '/achievements/streak/',
    {
      config: { auth: LEGACY_PATIENT },
      schema: {
        tags: ['achievements'],
        summary: 'Streak, best streak and today’s reading counter (days in your time zone)',
        response: { 200: Streak, 401: Detail, 404: Detail },
      },
    },
    async (request) => {
      const a = await reads.achievements(actorOf(request));
      return {
        streak: a.streak,
        max_streak: a.maxStreak,
        four_times_today: a.fourTimesToday,
        streak_last_date: a.streakLastDate,
      };
    },
  );

  app.get(
    '/achievements/',
    {
      config: { auth: LEGACY_PATIENT },
      schema: {
        tags: ['achievements'],
        summary: 'The achievement catalogue with your progress (a plain array)',
        response: { 200: Type.Array(Achievement), 401: Detail, 404: Detail },
      },
    },
    async (request) => {
      const a = await reads.achievements(actorOf(request));
      return a.achievements.map((x) => ({
        ach_id: x.id,
        name: x.name,
        attribute: x.attribute,
        got: x.got,
        progress: x.progress,
        threshold: x.threshold,
      }));
    },
  );
}
