/**
 * Patient gateway: the consultation queue and appointments (legacy-compat.md A.6, E.10, E.11,
 * E.17–E.19). Adapter only: the state machine, capacity, per-record access and audit are the
 * consultation services'; this file maps the bare-scalar answers and the old error texts.
 *
 * Status codes the contract left open: "queue full", "queue closed" and "not accepted yet" are 409
 * (as on /v1); re-submitting while a request is current is the decided 500 (A.6); another
 * patient's appointment is 404 like an unknown one (a 403 would log the app out, E.4).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { legacyPlacementOf, legacyStateOf } from '../appointments/appointments.states.js';
import { consultationServices } from '../appointments/index.js';
import {
  LEGACY_TEXT,
  LegacyAppointment,
  LegacyAppointmentForm,
  LegacyDetail,
  LegacyResolution,
  LegacyStateSchema,
  LegacyValidationDetail,
  legacyIssues,
  toAppointmentBody,
  toLegacyAppointment,
  toLegacyResolution,
} from './legacy.appointments.views.js';
import { LEGACY_PATIENT } from './legacy.auth.js';
import { LegacyError } from './legacy.errors.js';
import { sendJsonString } from './legacy.responses.js';

const tags = ['appointments'];
const auth = { auth: LEGACY_PATIENT };
const AppointmentIdParams = Type.Object({
  appointment_id: Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
});

/** Domain refusals of submit/create → the texts the app matches; anything else propagates. */
function queueError(err: unknown): never {
  if (err instanceof AppError) {
    switch (err.code) {
      case 'request_active':
        // Decided fidelity exception (A.6): the old IntegrityError 500, which tooling reads as "queued".
        throw new LegacyError(500, LEGACY_TEXT.alreadyQueued);
      case 'queue_full':
        throw new LegacyError(409, LEGACY_TEXT.queueFull);
      case 'queue_closed':
        throw new LegacyError(409, LEGACY_TEXT.queueClosed);
      case 'request_not_accepted':
      case 'stale_transition':
        throw new LegacyError(409, LEGACY_TEXT.notAccepted);
      case 'validation_failed':
        throw legacyIssues(err.errors);
    }
  }
  throw err;
}

export default async function gatewayAppointmentsRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { queue, appointments } = consultationServices(root);

  app.get(
    '/appointments/state',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Your queue state as a bare string; "NONE" without a current request',
        response: { 200: LegacyStateSchema, 401: LegacyDetail },
      },
    },
    async (request, reply) => {
      return sendJsonString(reply, legacyStateOf(await queue.current(actorOf(request))));
    },
  );

  app.get(
    '/appointments/placement',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Your 0-based queue placement as a bare integer; -1 unless PENDING',
        response: { 200: Type.Integer(), 401: LegacyDetail },
      },
    },
    async (request) => legacyPlacementOf(await queue.current(actorOf(request))),
  );

  app.get(
    '/appointments/queue/open',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Whether the queue takes requests, as a bare boolean',
        response: { 200: Type.Boolean(), 401: LegacyDetail },
      },
    },
    async () => (await queue.settings()).open,
  );

  app.post(
    '/appointments/submit',
    {
      config: auth,
      schema: {
        tags,
        summary:
          'Ask for a consultation (no body): 201 and your placement as a bare integer. 409 "Appointment Queue Full" / ' +
          '"Appointment Queue is not open"; 500 "Appointment already exists in queue" while you hold a request',
        response: { 201: Type.Integer(), 401: LegacyDetail, 409: LegacyDetail, 500: LegacyDetail },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      try {
        const submitted = await queue.submit(actor, auditOrigin(request), {});
        return reply.status(201).send(submitted.placement);
      } catch (err) {
        queueError(err);
      }
    },
  );

  app.post(
    '/appointments/create',
    {
      config: auth,
      schema: {
        tags,
        summary:
          'Send your treatment details once accepted: 201 and the appointment; 409 "Appointment wasn\'t accepted yet"',
        body: LegacyAppointmentForm,
        response: { 201: LegacyAppointment, 401: LegacyDetail, 409: LegacyDetail, 422: LegacyValidationDetail },
      },
    },
    async (request, reply) => {
      try {
        const created = await appointments.create(
          actorOf(request),
          auditOrigin(request),
          toAppointmentBody(request.body),
        );
        return reply.status(201).send(toLegacyAppointment(created));
      } catch (err) {
        queueError(err);
      }
    },
  );

  app.get(
    '/appointments/mine',
    {
      config: auth,
      schema: {
        tags,
        summary: 'All your appointments, a plain array (oldest first; no paging)',
        response: { 200: Type.Array(LegacyAppointment), 401: LegacyDetail },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return (await appointments.ofPatient(actor, auditOrigin(request), actor.id)).map(toLegacyAppointment);
    },
  );

  app.get(
    '/appointments/:appointment_id/resolution',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Your appointment\'s resolution; 404 "Resolution not found" when there is none yet (or not yours)',
        params: AppointmentIdParams,
        response: { 200: LegacyResolution, 401: LegacyDetail, 404: LegacyDetail, 422: LegacyValidationDetail },
      },
    },
    async (request) => {
      try {
        const res = await appointments.resolution(
          actorOf(request),
          auditOrigin(request),
          request.params.appointment_id,
        );
        return toLegacyResolution(res);
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') throw new LegacyError(404, LEGACY_TEXT.noResolution);
        throw err;
      }
    },
  );
}
