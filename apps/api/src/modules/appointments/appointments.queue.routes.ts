/** `/v1/queue…` and `/v1/me/queue` routes. HTTP only: rules, records and audit live in the service. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { responses } from '../../lib/http.js';
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
  root: FastifyInstance,
  opts: { service: QueueService; requests: RequestsService },
) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service, requests } = opts;

  app.get(
    '/v1/queue',
    {
      config: { auth: SIGNED_IN },
      schema: {
        tags,
        summary: 'Queue status: open, capacity, active and pending counts, queue day, schedule',
        response: responses({ 200: QueueStatus }),
      },
    },
    async () => service.status(),
  );

  app.patch(
    '/v1/queue',
    {
      config: { auth: FRONT_DESK },
      schema: {
        tags,
        summary: 'Open or close the queue, or change its capacity (active requests admitted); audited',
        body: QueuePatch,
        response: responses({ 200: QueueStatus }),
      },
    },
    async (request) => service.update(actorOf(request), auditOrigin(request), request.body),
  );

  app.post(
    '/v1/queue/reset',
    {
      config: { auth: ADMIN },
      schema: {
        tags,
        summary: 'End the queue day: active requests close, placements restart at 0; appointments are kept',
        response: responses({ 200: ResetResult }),
      },
    },
    async (request) => service.reset(auditOrigin(request)),
  );

  app.post(
    '/v1/queue/requests',
    {
      config: { auth: PATIENT },
      preValidation: emptyBodyIsEmptyObject,
      schema: {
        tags,
        summary: 'Ask for a consultation; 409 request_active, queue_closed or queue_full',
        body: SubmitBody,
        response: responses({ 201: Submitted }, [409]),
      },
    },
    async (request, reply) => {
      const created = await service.submit(actorOf(request), auditOrigin(request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/queue/requests',
    {
      config: { auth: STAFF_ANY },
      schema: {
        tags,
        summary: 'Requests by state with patient name, placement, position and waiting time (page/perPage, total)',
        querystring: RequestListQuery,
        response: responses({ 200: QueueRequestPage }),
      },
    },
    async (request) => requests.list(auditOrigin(request), request.query),
  );

  app.get(
    '/v1/queue/requests/:id',
    {
      config: { auth: STAFF_OR_OWNER },
      schema: {
        tags,
        summary: 'One request (staff; a patient only their own)',
        params: IdParams,
        response: responses({ 200: QueueRequest }, [404]),
      },
    },
    async (request) => requests.read(actorOf(request), auditOrigin(request), request.params.id),
  );

  app.get(
    '/v1/queue/requests/:id/history',
    {
      config: { auth: STAFF_OR_OWNER },
      schema: {
        tags,
        summary: 'State history of a request: who moved it, when, from what to what',
        params: IdParams,
        response: responses({ 200: RequestHistory }, [404]),
      },
    },
    async (request) => requests.history(actorOf(request), auditOrigin(request), request.params.id),
  );

  for (const verdict of ['accept', 'deny'] as const) {
    app.post(
      `/v1/queue/requests/:id/${verdict}`,
      {
        config: { auth: DECIDERS },
        preValidation: emptyBodyIsEmptyObject,
        schema: {
          tags,
          summary:
            verdict === 'accept'
              ? 'Accept a pending request (the patient is e-mailed); 409 stale_transition if it moved'
              : 'Deny a pending request, optionally with a reason (the patient is e-mailed); 409 stale_transition if it moved',
          params: IdParams,
          body: DecisionBody,
          response: responses({ 200: QueueRequest }, [404, 409]),
        },
      },
      async (request) =>
        requests.decide(actorOf(request), auditOrigin(request), request.params.id, verdict, request.body),
    );
  }

  app.post(
    '/v1/queue/requests/:id/cancel',
    {
      config: { auth: PATIENT },
      schema: {
        tags,
        summary: 'Withdraw your pending request (you may ask again the same day)',
        params: IdParams,
        response: responses({ 200: QueueRequest }, [404, 409]),
      },
    },
    async (request) => requests.cancel(actorOf(request), auditOrigin(request), request.params.id),
  );

  app.get(
    '/v1/me/queue',
    {
      config: { auth: PATIENT },
      schema: {
        tags,
        summary: 'Your queue status: state (none without a current request) and live position',
        response: responses({ 200: MyQueue }),
      },
    },
    async (request) => service.mine(actorOf(request)),
  );
}
