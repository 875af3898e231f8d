/** `/v1/readings…` routes. HTTP only: rules, authorization of records and audit live in the services. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { responses } from '../../lib/http.js';
import type { RoutePolicy } from '../../plugins/auth.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import type { ReadingQueries } from './readings.queries.js';
import {
  Achievements,
  BatchBody,
  BatchResult,
  ChangesPage,
  ChangesQuery,
  CreateReadingBody,
  IdempotencyHeaders,
  ListQuery,
  PatientIdParams,
  READING_VALUE_READERS,
  Reading,
  ReadingIdParams,
  ReadingPage,
  UpdateReadingBody,
} from './readings.schema.js';
import type { Idempotency, ReadingsService, WriteAnswer } from './readings.service.js';

/**
 * Writers: the patient, their devices, clinicians, and assistants entering a reading for a patient
 * (issue 3). Reading values back is narrower (product.md: the front desk sees no reading values):
 * the patient, clinicians, and admins (data export). Edits and deletes: the patient and clinicians.
 */
const WRITERS: RoutePolicy = { audience: 'any', roles: ['patient', 'clinician', 'assistant', 'device'], devices: true };
const READERS = READING_VALUE_READERS;
const EDITORS: RoutePolicy = { audience: 'any', roles: ['patient', 'clinician'] };
const FEED_READERS: RoutePolicy = {
  audience: 'any',
  roles: ['patient', 'clinician', 'admin', 'device'],
  devices: true,
};
const PATIENT_ONLY: RoutePolicy = { audience: 'app', roles: ['patient'] };

/** The caller's idempotency scope: per person, or per API key for devices (a key's own retries). */
function idempotencyOf(request: FastifyRequest): Idempotency | undefined {
  const key = request.headers['idempotency-key'];
  const p = request.principal;
  if (typeof key !== 'string' || !p) return undefined;
  const scope = p.kind === 'device' ? `device:${p.apiKeyId}` : `${p.kind}:${p.id}`;
  return { scope, key, route: `${request.method} ${request.routeOptions.url}` };
}

function send<T>(reply: FastifyReply, answer: WriteAnswer<T>) {
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(answer.statusCode).send(answer.body);
}

export default async function readingsRoutes(
  root: FastifyInstance,
  opts: { writes: ReadingsService; reads: ReadingQueries },
) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { writes, reads } = opts;

  app.post(
    '/v1/readings',
    {
      config: { auth: WRITERS },
      schema: {
        tags: ['readings'],
        summary: 'Record one reading (201); a device reading already stored answers 200 with it',
        description:
          'Value as `valueMgDl`, or `value` + `unit` (mmol/L converted with 18.0156), or `value: "LO" | "HI"`. ' +
          'Honours `Idempotency-Key` (24 h, per caller): a replay returns the first answer; another body with the same key is 422.',
        headers: IdempotencyHeaders,
        body: CreateReadingBody,
        response: responses({ 201: Reading, 200: Reading }, [404, 409, 422]),
      },
    },
    async (request, reply) =>
      send(reply, await writes.create(actorOf(request), auditOrigin(request), request.body, idempotencyOf(request))),
  );

  app.post(
    '/v1/readings/batch',
    {
      config: { auth: WRITERS },
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['readings'],
        summary: 'Sync up to 1,000 readings: each item created, duplicate (with the existing id) or invalid',
        description:
          'One transaction; device readings are deduplicated by (patient, deviceId, sequenceNumber, device time), ' +
          'so a retried batch creates nothing twice. Honours `Idempotency-Key`.',
        headers: IdempotencyHeaders,
        body: BatchBody,
        response: responses({ 200: BatchResult }, [413, 422]),
      },
    },
    async (request, reply) =>
      send(
        reply,
        await writes.createBatch(actorOf(request), auditOrigin(request), request.body.readings, idempotencyOf(request)),
      ),
  );

  app.get(
    '/v1/patients/:id/readings',
    {
      config: { auth: READERS },
      schema: {
        tags: ['readings'],
        summary: "A patient's readings, newest first (keyset cursor); audited",
        params: PatientIdParams,
        querystring: ListQuery,
        response: responses({ 200: ReadingPage }, [404]),
      },
    },
    async (request) => reads.list(actorOf(request), auditOrigin(request), request.params.id, request.query),
  );

  app.get(
    '/v1/me/readings',
    {
      config: { auth: PATIENT_ONLY },
      schema: {
        tags: ['readings'],
        summary: 'My readings, newest first (keyset cursor)',
        querystring: ListQuery,
        response: responses({ 200: ReadingPage }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return reads.list(actor, auditOrigin(request), actor.id, request.query);
    },
  );

  app.get(
    '/v1/patients/:id/readings/changes',
    {
      config: { auth: FEED_READERS },
      schema: {
        tags: ['readings'],
        summary: 'Change feed: readings changed after `since`, deletions as tombstones, in server order',
        description:
          'Positions are per patient and handed out in commit order, so resuming from `nextCursor` never skips a change.',
        params: PatientIdParams,
        querystring: ChangesQuery,
        response: responses({ 200: ChangesPage }, [404]),
      },
    },
    async (request) => reads.changes(actorOf(request), auditOrigin(request), request.params.id, request.query),
  );

  app.get(
    '/v1/readings/:id',
    {
      config: { auth: READERS },
      schema: {
        tags: ['readings'],
        summary: 'One reading (owner or staff)',
        params: ReadingIdParams,
        response: responses({ 200: Reading }, [404]),
      },
    },
    async (request) => reads.get(actorOf(request), auditOrigin(request), request.params.id),
  );

  app.patch(
    '/v1/readings/:id',
    {
      config: { auth: EDITORS },
      schema: {
        tags: ['readings'],
        summary: 'Edit a reading: new revision, audited by field name; device values and times are fixed',
        params: ReadingIdParams,
        body: UpdateReadingBody,
        response: responses({ 200: Reading }, [404, 409]),
      },
    },
    async (request) => writes.update(actorOf(request), auditOrigin(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/readings/:id',
    {
      config: { auth: EDITORS },
      schema: {
        tags: ['readings'],
        summary: 'Delete a reading (soft: it stays in the change feed as a tombstone)',
        params: ReadingIdParams,
        response: responses({ 204: Type.Null() }, [404]),
      },
    },
    async (request, reply) => {
      await writes.remove(actorOf(request), auditOrigin(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me/achievements',
    {
      config: { auth: PATIENT_ONLY },
      schema: {
        tags: ['readings'],
        summary: 'My streak, counters and achievements (days in my timezone)',
        response: responses({ 200: Achievements }),
      },
    },
    async (request) => reads.achievements(actorOf(request)),
  );
}
