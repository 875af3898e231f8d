/** `/v1/appointments…` routes. HTTP only: rules, records and audit live in the service. */
import type { FastifyInstance } from 'fastify';
import { route } from '../../lib/route.js';
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

export default async function appointmentRoutes(app: FastifyInstance, opts: { service: AppointmentsService }) {
  const { service } = opts;

  route(app, {
    method: 'POST',
    url: '/v1/appointments',
    operationId: 'createAppointment',
    summary: 'Send your treatment details once your request is accepted; 409 request_not_accepted otherwise',
    tags,
    auth: PATIENT,
    body: AppointmentBody,
    success: { 201: Appointment },
    errors: [409],
    handler: async (request, reply) => {
      const created = await service.create(actorOf(request), auditOrigin(request), request.body);
      return reply.status(201).send(created);
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/appointments',
    operationId: 'listAppointments',
    summary:
      'Appointments (staff: filter by patient, state, emergency care, dates; a patient: their own). Emergency care first',
    tags,
    auth: STAFF_OR_OWNER,
    querystring: AppointmentListQuery,
    success: { 200: AppointmentPage },
    errors: [404],
    handler: async (request) => service.list(actorOf(request), auditOrigin(request), request.query),
  });

  route(app, {
    method: 'GET',
    url: '/v1/appointments/:id',
    operationId: 'getAppointment',
    summary: 'One appointment (staff; a patient only their own)',
    tags,
    auth: STAFF_OR_OWNER,
    params: IdParams,
    success: { 200: Appointment },
    errors: [404],
    handler: async (request) => service.read(actorOf(request), auditOrigin(request), request.params.id),
  });

  route(app, {
    method: 'POST',
    url: '/v1/appointments/:id/resolution',
    operationId: 'resolveAppointment',
    summary:
      'Write the resolution (the patient is e-mailed). Immutable: a correction sends revises + correctionReason and becomes the next revision',
    tags,
    auth: CLINICIAN,
    params: IdParams,
    body: ResolutionBody,
    success: { 201: Resolution },
    errors: [404, 409],
    handler: async (request, reply) => {
      const created = await service.resolve(actorOf(request), auditOrigin(request), request.params.id, request.body);
      return reply.status(201).send(created);
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/appointments/:id/resolution',
    operationId: 'getAppointmentResolution',
    summary: 'The current (latest) resolution; 404 while there is none',
    tags,
    auth: STAFF_OR_OWNER,
    params: IdParams,
    success: { 200: Resolution },
    errors: [404],
    handler: async (request) => service.resolution(actorOf(request), auditOrigin(request), request.params.id),
  });

  route(app, {
    method: 'GET',
    url: '/v1/appointments/:id/resolution/revisions',
    operationId: 'listAppointmentResolutionRevisions',
    summary: 'Every revision of the resolution, oldest first, with author and time',
    tags,
    auth: STAFF_OR_OWNER,
    params: IdParams,
    success: { 200: ResolutionRevisions },
    errors: [404],
    handler: async (request) => service.revisions(actorOf(request), auditOrigin(request), request.params.id),
  });
}
