/** `/v1/appointments…` routes. HTTP only: rules, records and audit live in the service. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { responses } from '../../lib/http.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { CLINICIAN, IdParams, PATIENT, STAFF_OR_OWNER } from './appointments.queue.schema.js';
import {
  Appointment,
  AppointmentBody,
  AppointmentListQuery,
  AppointmentPage,
  Resolution,
  ResolutionBody,
  ResolutionRevisions,
} from './appointments.schema.js';
import type { AppointmentsService } from './appointments.service.js';

const tags = ['appointments'];

export default async function appointmentRoutes(root: FastifyInstance, opts: { service: AppointmentsService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;

  app.post(
    '/v1/appointments',
    {
      config: { auth: PATIENT },
      schema: {
        tags,
        summary: 'Send your treatment details once your request is accepted; 409 request_not_accepted otherwise',
        body: AppointmentBody,
        response: responses({ 201: Appointment }, [409]),
      },
    },
    async (request, reply) => {
      const created = await service.create(actorOf(request), auditOrigin(request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/appointments',
    {
      config: { auth: STAFF_OR_OWNER },
      schema: {
        tags,
        summary:
          'Appointments (staff: filter by patient, state, emergency care, dates; a patient: their own). Emergency care first',
        querystring: AppointmentListQuery,
        response: responses({ 200: AppointmentPage }, [404]),
      },
    },
    async (request) => service.list(actorOf(request), auditOrigin(request), request.query),
  );

  app.get(
    '/v1/appointments/:id',
    {
      config: { auth: STAFF_OR_OWNER },
      schema: {
        tags,
        summary: 'One appointment (staff; a patient only their own)',
        params: IdParams,
        response: responses({ 200: Appointment }, [404]),
      },
    },
    async (request) => service.read(actorOf(request), auditOrigin(request), request.params.id),
  );

  app.post(
    '/v1/appointments/:id/resolution',
    {
      config: { auth: CLINICIAN },
      schema: {
        tags,
        summary:
          'Write the resolution (the patient is e-mailed). Immutable: a correction sends revises + correctionReason and becomes the next revision',
        params: IdParams,
        body: ResolutionBody,
        response: responses({ 201: Resolution }, [404, 409]),
      },
    },
    async (request, reply) => {
      const created = await service.resolve(actorOf(request), auditOrigin(request), request.params.id, request.body);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/v1/appointments/:id/resolution',
    {
      config: { auth: STAFF_OR_OWNER },
      schema: {
        tags,
        summary: 'The current (latest) resolution; 404 while there is none',
        params: IdParams,
        response: responses({ 200: Resolution }, [404]),
      },
    },
    async (request) => service.resolution(actorOf(request), auditOrigin(request), request.params.id),
  );

  app.get(
    '/v1/appointments/:id/resolution/revisions',
    {
      config: { auth: STAFF_OR_OWNER },
      schema: {
        tags,
        summary: 'Every revision of the resolution, oldest first, with author and time',
        params: IdParams,
        response: responses({ 200: ResolutionRevisions }, [404]),
      },
    },
    async (request) => service.revisions(actorOf(request), auditOrigin(request), request.params.id),
  );
}
