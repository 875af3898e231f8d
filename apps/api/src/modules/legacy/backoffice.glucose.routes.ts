/**
 * Back-office glucose readings (legacy-compat.md §B, §C.2): a patient's readings (all, or the last
 * 15 days) oldest first, every patient's readings, a reading entered at the clinic, and a delete.
 * Adapter only: ReadingsService writes (counters, streaks, change feed, audit) and ReadingQueries
 * reads (audited); this file maps the old shapes (`{readings: [...]}`, `DD/MM/YYYY HH:MM:SS`
 * clinic time, `reading_type` words) and the old error texts.
 *
 * Roles are those of the equivalent /v1 routes: reading values back needs clinician or admin (the
 * front desk sees no values), entering one clinician or assistant, deleting one clinician. The
 * legacy `admin` holds all three roles, so the old single-role back-office keeps working; a
 * narrower account gets 403 `{"detail": …}` here (the old back-office had no roles).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { readingsService } from '../readings/index.js';
import { ReadingQueries } from '../readings/readings.queries.js';
import { contextFromLegacy } from '../readings/readings.rules.js';
import { MAX_NOTES, type Reading } from '../readings/readings.schema.js';
import { legacyStaff } from './legacy.auth.js';
import { legacyCall, legacyErrors, sendJsonString } from './legacy.responses.js';
import { LegacyReading, LegacyReadings, LegacyReadingType, toLegacyReading } from './legacy.views.js';

const ReadingTypeSchema = LegacyReadingType;
const OneReading = LegacyReading;
const Readings = LegacyReadings;

const VALUE_READERS = legacyStaff('clinician', 'admin');
const WRITERS = legacyStaff('clinician', 'assistant');
const EDITORS = legacyStaff('clinician');

/** `/latest` is the last 15 days (A.4, C.2). */
const LATEST_DAYS = 15;
const DAY_MS = 86_400_000;

export const DELETED_ANSWER = 'Reading deleted';

const UserIdParams = Type.Object({ user_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const ReadingIdParams = Type.Object({ reading_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

const NewReading = Type.Object({
  user_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  glucose_level: Type.Number({ description: 'mg/dL (10–1000), echoed back as sent' }),
  reading_type: ReadingTypeSchema,
  notes: Type.Optional(Type.Union([Type.String({ maxLength: MAX_NOTES }), Type.Null()])),
  created_at: Type.Optional(
    Type.String({ format: 'date-time', description: 'ISO 8601 with offset; default now (not in the old API)' }),
  ),
});

const READING_NAMES = {
  patientId: 'user_id',
  valueMgDl: 'glucose_level',
  context: 'reading_type',
  measuredAt: 'created_at',
};
const USER_MAPPING = { notFound: 'User not found', names: READING_NAMES };
const READING_MAPPING = { notFound: 'Reading not found', names: READING_NAMES };

export default async function backofficeGlucoseRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const writes = readingsService(root);
  const reads = new ReadingQueries({ db: root.db.db, audit: root.audit, clock: root.clock, writes });
  const timezone = root.config.clinic.timezone;
  const legacy = (rows: Parameters<typeof toLegacyReading>[0][]) => ({
    readings: rows.map((r) => toLegacyReading(r, timezone)),
  });

  app.get(
    '/glucose/user/:user_id',
    {
      config: { auth: VALUE_READERS },
      schema: {
        tags: ['glucose'],
        summary: 'Every reading of a patient, oldest first (no pagination); audited',
        params: UserIdParams,
        response: { 200: Readings, ...legacyErrors(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const rows = await legacyCall(USER_MAPPING, () =>
        reads.allOfPatientOldestFirst(actorOf(request), auditOrigin(request), request.params.user_id),
      );
      return legacy(rows);
    },
  );

  app.get(
    '/glucose/user/:user_id/latest',
    {
      config: { auth: VALUE_READERS },
      schema: {
        tags: ['glucose'],
        summary: "A patient's readings of the last 15 days, oldest first; audited",
        params: UserIdParams,
        response: { 200: Readings, ...legacyErrors(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const from = new Date(root.clock.now().getTime() - LATEST_DAYS * DAY_MS);
      const rows = await legacyCall(USER_MAPPING, () =>
        reads.allOfPatientOldestFirst(actorOf(request), auditOrigin(request), request.params.user_id, from),
      );
      return legacy(rows);
    },
  );

  app.get(
    '/glucose/readings',
    {
      config: { auth: VALUE_READERS },
      schema: {
        tags: ['glucose'],
        summary: "Every patient's readings, in creation order (no pagination); audited",
        description:
          'The old API had no pagination: the answer holds every live reading of the clinic and its ' +
          'cost grows with the history. New tools use /v1 (paginated, per patient).',
        response: { 200: Readings, ...legacyErrors(401, 403) },
      },
    },
    async (request) => legacy(await reads.allPatientsReadings(actorOf(request), auditOrigin(request))),
  );

  app.post(
    '/glucose/reading',
    {
      config: { auth: WRITERS },
      schema: {
        tags: ['glucose'],
        summary: 'Record a reading for a patient (entered at the clinic); 201 with the reading',
        description:
          "Counts in the patient's counters and streak like any reading. Unknown user_id: 404. " +
          'A value outside 10–1000 mg/dL: 422.',
        body: NewReading,
        response: { 201: OneReading, ...legacyErrors(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const measuredAt = b.created_at ?? root.clock.now().toISOString();
      const answer = await legacyCall(USER_MAPPING, () =>
        writes.create(actorOf(request), auditOrigin(request), {
          patientId: b.user_id,
          valueMgDl: b.glucose_level,
          measuredAt,
          context: contextFromLegacy(b.reading_type),
          source: 'manual',
          ...(b.notes === undefined || b.notes === null ? {} : { notes: b.notes }),
        }),
      );
      return reply.code(201).send(fromView(answer.body, timezone));
    },
  );

  app.delete(
    '/glucose/reading/:reading_id',
    {
      config: { auth: EDITORS },
      schema: {
        tags: ['glucose'],
        summary: 'Delete a reading (soft: it leaves lists and counters, stays in the audit trail)',
        params: ReadingIdParams,
        response: { 200: Type.String(), ...legacyErrors(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await legacyCall(READING_MAPPING, () =>
        writes.remove(actorOf(request), auditOrigin(request), request.params.reading_id),
      );
      return sendJsonString(reply, DELETED_ANSWER);
    },
  );
}

/** The /v1 reading view the service answers with → the old wire reading. */
function fromView(r: Reading, timezone: string) {
  return toLegacyReading(
    {
      id: r.id,
      patientId: r.patientId,
      valueMgDl: r.valueMgDl,
      rangeFlag: r.belowMeasurableRange ? 'LO' : r.aboveMeasurableRange ? 'HI' : null,
      context: r.context,
      notes: r.notes,
      measuredAt: new Date(r.measuredAt),
    },
    timezone,
  );
}
