/** `/v1/queue…` and `/v1/me/queue` routes. HTTP only: rules, records and audit live in the service. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import {
  ADMIN,
  DECIDERS,
  DecisionBody,
  FRONT_DESK,
  IdParams,
  MyQueue,
  PATIENT,
  QueuePatch,
  QueueRequest,
  QueueRequestPage,
  QueueStatus,
  RequestHistory,
  RequestListQuery,
  ResetResult,
  SIGNED_IN,
  STAFF_ANY,
  STAFF_OR_OWNER,
  SubmitBody,
  Submitted,
} from './appointments.queue.schema.js';
import type { QueueService } from './appointments.queue.service.js';
import type { RequestsService } from './appointments.requests.service.js';

const tags = ['queue'];

/** `preValidation`: these bodies are optional (a bare "accept" click sends none); absent = `{}`. */
async function emptyBodyIsEmptyObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

export default async function queueRoutes(
  app: FastifyInstance,
  opts: { service: QueueService; requests: RequestsService },
) {
  const { service, requests } = opts;

  route(app, {
    method: 'GET',
    url: '/v1/queue',
    operationId: 'getQueueStatus',
    summary: 'Queue status: open, capacity, active and pending counts, queue day, schedule',
    tags,
    auth: SIGNED_IN,
    success: { 200: QueueStatus },
    handler: async () => service.status(),
  });

  route(app, {
    method: 'PATCH',
    url: '/v1/queue',
    operationId: 'updateQueue',
    summary: 'Open or close the queue, or change its capacity (active requests admitted); audited',
    tags,
    auth: FRONT_DESK,
    body: QueuePatch,
    success: { 200: QueueStatus },
    handler: async (request) => service.update(actorOf(request), auditOrigin(request), request.body),
  });

  route(app, {
    method: 'POST',
    url: '/v1/queue/reset',
    operationId: 'resetQueue',
    summary: 'End the queue day: active requests close, placements restart at 0; appointments are kept',
    tags,
    auth: ADMIN,
    success: { 200: ResetResult },
    handler: async (request) => service.reset(auditOrigin(request)),
  });

  route(app, {
    method: 'POST',
    url: '/v1/queue/requests',
    operationId: 'createQueueRequest',
    summary: 'Ask for a consultation; 409 request_active, queue_closed or queue_full',
    tags,
    auth: PATIENT,
    body: SubmitBody,
    success: { 201: Submitted },
    errors: [409],
    preValidation: emptyBodyIsEmptyObject,
    handler: async (request, reply) => {
      const created = await service.submit(actorOf(request), auditOrigin(request), request.body);
      return reply.status(201).send(created);
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/queue/requests',
    operationId: 'listQueueRequests',
    summary: 'Requests by state with patient name, placement, position and waiting time (page/perPage, total)',
    tags,
    auth: STAFF_ANY,
    querystring: RequestListQuery,
    success: { 200: QueueRequestPage },
    handler: async (request) => requests.list(auditOrigin(request), request.query),
  });

  route(app, {
    method: 'GET',
    url: '/v1/queue/requests/:id',
    operationId: 'getQueueRequest',
    summary: 'One request (staff; a patient only their own)',
    tags,
    auth: STAFF_OR_OWNER,
    params: IdParams,
    success: { 200: QueueRequest },
    errors: [404],
    handler: async (request) => requests.read(actorOf(request), auditOrigin(request), request.params.id),
  });

  route(app, {
    method: 'GET',
    url: '/v1/queue/requests/:id/history',
    operationId: 'listQueueRequestHistory',
    summary: 'State history of a request: who moved it, when, from what to what',
    tags,
    auth: STAFF_OR_OWNER,
    params: IdParams,
    success: { 200: RequestHistory },
    errors: [404],
    handler: async (request) => requests.history(actorOf(request), auditOrigin(request), request.params.id),
  });

  for (const verdict of ['accept', 'deny'] as const) {
    route(app, {
      method: 'POST',
      url: `/v1/queue/requests/:id/${verdict}`,
      operationId: `${verdict}QueueRequest`,
      summary:
        verdict === 'accept'
          ? 'Accept a pending request (the patient is e-mailed); 409 stale_transition if it moved'
          : 'Deny a pending request, optionally with a reason (the patient is e-mailed); 409 stale_transition if it moved',
      tags,
      auth: DECIDERS,
      params: IdParams,
      body: DecisionBody,
      success: { 200: QueueRequest },
      errors: [404, 409],
      preValidation: emptyBodyIsEmptyObject,
      handler: async (request) =>
        requests.decide(actorOf(request), auditOrigin(request), request.params.id, verdict, request.body),
    });
  }

  route(app, {
    method: 'POST',
    url: '/v1/queue/requests/:id/cancel',
    operationId: 'cancelQueueRequest',
    summary: 'Withdraw your pending request (you may ask again the same day)',
    tags,
    auth: PATIENT,
    params: IdParams,
    success: { 200: QueueRequest },
    errors: [404, 409],
    handler: async (request) => requests.cancel(actorOf(request), auditOrigin(request), request.params.id),
  });

  route(app, {
    method: 'GET',
    url: '/v1/me/queue',
    operationId: 'getMyQueueStatus',
    summary: 'Your queue status: state (none without a current request) and live position',
    tags,
    auth: PATIENT,
    success: { 200: MyQueue },
    handler: async (request) => service.mine(actorOf(request)),
  });
}
