/**
 * Back-office gateway: queue administration, appointments and resolutions (legacy-compat.md §B,
 * C.3, E.17, E.19). Adapter only: every decision, capacity, reset, audit row and e-mail is the
 * consultation services'. Roles are those of the equivalent /v1 routes (the legacy `admin`
 * account holds admin, clinician and assistant).
 *
 * Choices the contract left open:
 * - `POST /appointments/queue/open` only opens; it does NOT empty the queue (two old documents
 *   say it did, unverified). Emptying is destructive (pending patients lose their place), the
 *   old admin has a separate "empty queue" button (`DELETE /appointments`), and an assistant who
 *   closes for a break and reopens must not wipe the morning's queue.
 * - Accept/deny of a placement nobody holds as PENDING today → 404 "Appointment does not exist in
 *   queue" (also when someone else decided it first).
 * - A second `create_resolution` for one appointment → 409 (the old table's primary key refused
 *   it too); corrections are a /v1 feature (revisions), shown here as the current resolution.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { consultationServices } from '../appointments/index.js';
import {
  LEGACY_TEXT,
  LegacyAppointment,
  LegacyDetail,
  LegacyQueueEntry,
  LegacyResolution,
  LegacyResolutionForm,
  LegacyValidationDetail,
  LIST_STATES,
  toLegacyAppointment,
  toLegacyQueueEntry,
  toLegacyResolution,
  toResolutionBody,
} from './legacy.appointments.views.js';
import { legacyStaff } from './legacy.auth.js';
import { LegacyError } from './legacy.errors.js';

const tags = ['appointments'];
/** The /v1 policies: STAFF_ANY, FRONT_DESK, ADMIN, DECIDERS, CLINICIAN (appointments.queue.schema.ts). */
const STAFF_ANY = { auth: legacyStaff('clinician', 'assistant', 'admin') };
const FRONT_DESK = { auth: legacyStaff('assistant', 'admin') };
const ADMIN = { auth: legacyStaff('admin') };
const DECIDERS = { auth: legacyStaff('clinician', 'assistant') };
const CLINICIAN = { auth: legacyStaff('clinician') };

const Id = Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
const PlacementParams = Type.Object({ queue_placement: Id });
const UserParams = Type.Object({ user_id: Id });
const AppointmentIdParams = Type.Object({ appointment_id: Id });
const SizeQuery = Type.Object({
  new_size: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Requests admitted at once' }),
});
const QueueEntries = Type.Array(LegacyQueueEntry);

const errors = { 401: LegacyDetail, 404: LegacyDetail, 409: LegacyDetail, 422: LegacyValidationDetail };

const notFound = (text: string) => (err: unknown) => {
  if (err instanceof AppError && err.code === 'not_found') throw new LegacyError(404, text);
  throw err;
};

export default async function backofficeAppointmentsRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { queue, requests, appointments } = consultationServices(root);

  const lists = [
    ['pending', 'PENDING requests of the running queue day'],
    ['accepted', 'ACCEPTED requests of the running queue day'],
    ['created', 'CREATED requests of the running queue day (a resolution keeps CREATED)'],
    ['queue', 'The whole queue of the running day, every state'],
  ] as const;
  for (const [name, what] of lists) {
    app.get(
      `/appointments/${name}`,
      {
        config: STAFF_ANY,
        schema: {
          tags,
          summary: `${what}: [{queue_placement, user_id, appointment_state}] by placement`,
          response: { 200: QueueEntries, 401: LegacyDetail },
        },
      },
      async (request) => {
        const states = name === 'queue' ? undefined : LIST_STATES[name];
        return (await requests.currentDay(auditOrigin(request), states)).map(toLegacyQueueEntry);
      },
    );
  }

  app.get(
    '/appointments/queue/size',
    {
      config: STAFF_ANY,
      schema: {
        tags,
        summary: 'Queue size (requests admitted at once), a bare integer',
        response: { 200: Type.Integer() },
      },
    },
    async () => (await queue.settings()).capacity,
  );

  app.post(
    '/appointments/queue/size',
    {
      config: FRONT_DESK,
      schema: {
        tags,
        summary: 'Set the queue size (?new_size=); answers the new size',
        querystring: SizeQuery,
        response: { 200: Type.Integer(), ...errors },
      },
    },
    async (request) => {
      const status = await queue.update(actorOf(request), auditOrigin(request), { capacity: request.query.new_size });
      return status.capacity;
    },
  );

  app.get(
    '/appointments/queue/open',
    {
      config: STAFF_ANY,
      schema: { tags, summary: 'Whether the queue takes requests, a bare boolean', response: { 200: Type.Boolean() } },
    },
    async () => (await queue.settings()).open,
  );

  for (const open of [true, false]) {
    app.post(
      `/appointments/queue/${open ? 'open' : 'close'}`,
      {
        config: FRONT_DESK,
        schema: {
          tags,
          summary: open
            ? 'Open the queue (does not empty it: DELETE /appointments does); answers true'
            : 'Close the queue: no new requests until it is opened; answers false',
          response: { 200: Type.Boolean(), 401: LegacyDetail },
        },
      },
      async (request) => (await queue.update(actorOf(request), auditOrigin(request), { open })).open,
    );
  }

  for (const verdict of ['accept', 'deny'] as const) {
    app.put(
      `/appointments/${verdict}/:queue_placement`,
      {
        config: DECIDERS,
        schema: {
          tags,
          summary: `${verdict === 'accept' ? 'Accept' : 'Deny'} the PENDING request at this placement (the patient is e-mailed): 201 true; 404 "Appointment does not exist in queue"`,
          params: PlacementParams,
          response: { 201: Type.Boolean(), ...errors },
        },
      },
      async (request, reply) => {
        try {
          const placement = request.params.queue_placement;
          await requests.decideByPlacement(actorOf(request), auditOrigin(request), placement, verdict);
        } catch (err) {
          // Gone or decided by someone else first: either way not a pending entry any more.
          if (err instanceof AppError && (err.code === 'not_found' || err.code === 'stale_transition')) {
            throw new LegacyError(404, LEGACY_TEXT.notInQueue);
          }
          throw err;
        }
        return reply.status(201).send(true);
      },
    );
  }

  app.delete(
    '/appointments',
    {
      config: ADMIN,
      schema: {
        tags,
        summary:
          'Clear the queue = end the queue day: everyone back to NONE, placements restart at 0; appointments kept',
        response: { 204: Type.Null(), 401: LegacyDetail },
      },
    },
    async (request, reply) => {
      await queue.reset(auditOrigin(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/appointments/from_user/:user_id',
    {
      config: STAFF_ANY,
      schema: {
        tags,
        summary: "A patient's appointments, oldest first (empty for an unknown user)",
        params: UserParams,
        response: { 200: Type.Array(LegacyAppointment), ...errors },
      },
    },
    async (request) =>
      (await appointments.ofPatient(actorOf(request), auditOrigin(request), request.params.user_id)).map(
        toLegacyAppointment,
      ),
  );

  app.get(
    '/appointments/from_user/latest/:user_id',
    {
      config: STAFF_ANY,
      schema: {
        tags,
        summary: 'A patient\'s latest appointment; 404 "Appointment does not exist" without one',
        params: UserParams,
        response: { 200: LegacyAppointment, ...errors },
      },
    },
    async (request) => {
      const all = await appointments.ofPatient(actorOf(request), auditOrigin(request), request.params.user_id);
      const latest = all.at(-1);
      if (!latest) throw new LegacyError(404, LEGACY_TEXT.noAppointment);
      return toLegacyAppointment(latest);
    },
  );

  app.post(
    '/appointments/create_resolution',
    {
      config: CLINICIAN,
      schema: {
        tags,
        summary:
          'Write the resolution of an appointment (the patient is e-mailed): 201 and the resolution; 404 unknown appointment, 409 already resolved',
        body: LegacyResolutionForm,
        response: { 201: LegacyResolution, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      try {
        const res = await appointments.resolve(
          actorOf(request),
          auditOrigin(request),
          body.appointment_id,
          toResolutionBody(body),
        );
        return reply.status(201).send(toLegacyResolution(res));
      } catch (err) {
        if (err instanceof AppError && err.code === 'resolution_exists') {
          throw new LegacyError(409, LEGACY_TEXT.resolutionExists);
        }
        return notFound('Appointment not found')(err);
      }
    },
  );

  app.get(
    '/appointments/:appointment_id/resolution',
    {
      config: STAFF_ANY,
      schema: {
        tags,
        summary: 'The resolution of an appointment; 404 "Resolution not found" while there is none',
        params: AppointmentIdParams,
        response: { 200: LegacyResolution, ...errors },
      },
    },
    async (request) =>
      toLegacyResolution(
        await appointments
          .resolution(actorOf(request), auditOrigin(request), request.params.appointment_id)
          .catch(notFound(LEGACY_TEXT.noResolution)),
      ),
  );
}
