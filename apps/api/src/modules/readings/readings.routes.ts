/** `/v1/readings…` routes. HTTP only: rules, authorization of records and audit live in the services. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RoutePolicy } from '../../lib/principal.js';
import { route } from '../../lib/route.js';
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
  app: FastifyInstance,
  opts: { writes: ReadingsService; reads: ReadingQueries },
) {
  const { writes, reads } = opts;

  route(app, {
    method: 'POST',
    url: '/v1/readings',
    operationId: 'createReading',
    summary: 'Record one reading (201); a device reading already stored answers 200 with it',
    description:
      'Value as `valueMgDl`, or `value` + `unit` (mmol/L converted with 18.0156), or `value: "LO" | "HI"`. ' +
      'Honours `Idempotency-Key` (24 h, per caller): a replay returns the first answer; another body with the same key is 422.',
    tags: ['readings'],
    auth: WRITERS,
    headers: IdempotencyHeaders,
    body: CreateReadingBody,
    success: { 201: Reading, 200: Reading },
    errors: [404, 409, 422],
    handler: async (request, reply) =>
      send(reply, await writes.create(actorOf(request), auditOrigin(request), request.body, idempotencyOf(request))),
  });

  route(app, {
    method: 'POST',
    url: '/v1/readings/batch',
    operationId: 'createReadingBatch',
    summary: 'Sync up to 1,000 readings: each item created, duplicate (with the existing id) or invalid',
    description:
      'One transaction; device readings are deduplicated by (patient, deviceId, sequenceNumber, device time), ' +
      'so a retried batch creates nothing twice. Honours `Idempotency-Key`.',
    tags: ['readings'],
    auth: WRITERS,
    headers: IdempotencyHeaders,
    body: BatchBody,
    success: { 200: BatchResult },
    errors: [413, 422],
    bodyLimit: 1024 * 1024,
    handler: async (request, reply) =>
      send(
        reply,
        await writes.createBatch(actorOf(request), auditOrigin(request), request.body.readings, idempotencyOf(request)),
      ),
  });

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id/readings',
    operationId: 'listPatientReadings',
    summary: "A patient's readings, newest first (keyset cursor); audited",
    tags: ['readings'],
    auth: READERS,
    params: PatientIdParams,
    querystring: ListQuery,
    success: { 200: ReadingPage },
    errors: [404],
    handler: async (request) => reads.list(actorOf(request), auditOrigin(request), request.params.id, request.query),
  });

  route(app, {
    method: 'GET',
    url: '/v1/me/readings',
    operationId: 'listMyReadings',
    summary: 'My readings, newest first (keyset cursor)',
    tags: ['readings'],
    auth: PATIENT_ONLY,
    querystring: ListQuery,
    success: { 200: ReadingPage },
    handler: async (request) => {
      const actor = actorOf(request);
      return reads.list(actor, auditOrigin(request), actor.id, request.query);
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id/readings/changes',
    operationId: 'listPatientReadingChanges',
    summary: 'Change feed: readings changed after `since`, deletions as tombstones, in server order',
    description:
      'Positions are per patient and handed out in commit order, so resuming from `nextCursor` never skips a change.',
    tags: ['readings'],
    auth: FEED_READERS,
    params: PatientIdParams,
    querystring: ChangesQuery,
    success: { 200: ChangesPage },
    errors: [404],
    handler: async (request) => reads.changes(actorOf(request), auditOrigin(request), request.params.id, request.query),
  });

  route(app, {
    method: 'GET',
    url: '/v1/readings/:id',
    operationId: 'getReading',
    summary: 'One reading (owner or staff)',
    tags: ['readings'],
    auth: READERS,
    params: ReadingIdParams,
    success: { 200: Reading },
    errors: [404],
    handler: async (request) => reads.get(actorOf(request), auditOrigin(request), request.params.id),
  });

  route(app, {
    method: 'PATCH',
    url: '/v1/readings/:id',
    operationId: 'updateReading',
    summary: 'Edit a reading: new revision, audited by field name; device values and times are fixed',
    tags: ['readings'],
    auth: EDITORS,
    params: ReadingIdParams,
    body: UpdateReadingBody,
    success: { 200: Reading },
    errors: [404, 409],
    handler: async (request) => writes.update(actorOf(request), auditOrigin(request), request.params.id, request.body),
  });

  route(app, {
    method: 'DELETE',
    url: '/v1/readings/:id',
    operationId: 'deleteReading',
    summary: 'Delete a reading (soft: it stays in the change feed as a tombstone)',
    tags: ['readings'],
    auth: EDITORS,
    params: ReadingIdParams,
    success: { 204: Type.Null() },
    errors: [404],
    handler: async (request, reply) => {
      await writes.remove(actorOf(request), auditOrigin(request), request.params.id);
      return reply.code(204).send(null);
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/me/achievements',
    operationId: 'getMyAchievements',
    summary: 'My streak, counters and achievements (days in my timezone)',
    tags: ['readings'],
    auth: PATIENT_ONLY,
    success: { 200: Achievements },
    handler: async (request) => reads.achievements(actorOf(request)),
  });
}
