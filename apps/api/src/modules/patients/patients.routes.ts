/** `/v1/patients` routes. HTTP only: rules, authorization of records and audit live in the service. */
import type { FastifyInstance } from 'fastify';
import { canonicalise } from '../../lib/canonical.js';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import {
  CreatePatientBody,
  FRONT_DESK,
  IdParams,
  ListQuery,
  Patient,
  PatientPage,
  STAFF_ANY,
  STAFF_OR_SELF,
  UpdatePatientBody,
} from './patients.schema.js';
import type { PatientsService } from './patients.service.js';

export default async function patientRoutes(app: FastifyInstance, opts: { service: PatientsService }) {
  const { service } = opts;

  route(app, {
    method: 'GET',
    url: '/v1/patients',
    operationId: 'listPatients',
    summary: 'Search patients (page/perPage with total); audited as one list read',
    tags: ['patients'],
    auth: STAFF_ANY,
    querystring: ListQuery,
    success: { 200: PatientPage },
    handler: async (request) => service.list(auditOrigin(request), request.query),
  });

  route(app, {
    method: 'POST',
    url: '/v1/patients',
    operationId: 'createPatient',
    summary: 'Register a patient; without a password the patient is e-mailed a set-password link',
    tags: ['patients'],
    auth: STAFF_ANY,
    body: CreatePatientBody,
    success: { 201: Patient },
    errors: [409],
    preValidation: canonicalise,
    handler: async (request, reply) => {
      const patient = await service.create(auditOrigin(request), request.body, 'staff');
      return reply.status(201).send(patient);
    },
  });

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id',
    operationId: 'getPatient',
    summary: 'One patient (staff; a patient only their own record, anyone else is 404)',
    tags: ['patients'],
    auth: STAFF_OR_SELF,
    params: IdParams,
    success: { 200: Patient },
    errors: [404],
    handler: async (request) => service.read(actorOf(request), auditOrigin(request), request.params.id),
  });

  route(app, {
    method: 'PATCH',
    url: '/v1/patients/:id',
    operationId: 'updatePatient',
    summary: 'Edit a patient (not blocked, counters or password: those fields are refused)',
    tags: ['patients'],
    auth: STAFF_ANY,
    params: IdParams,
    body: UpdatePatientBody,
    success: { 200: Patient },
    errors: [404, 409],
    preValidation: canonicalise,
    handler: async (request) => service.update(actorOf(request), auditOrigin(request), request.params.id, request.body),
  });

  for (const [verb, blocked] of [
    ['block', true],
    ['unblock', false],
  ] as const) {
    route(app, {
      method: 'POST',
      url: `/v1/patients/:id/${verb}`,
      operationId: `${verb}Patient`,
      summary: blocked
        ? 'Block a patient: sign-in refused and every session revoked at once'
        : 'Unblock a patient (they sign in again; revoked sessions stay revoked)',
      tags: ['patients'],
      auth: FRONT_DESK,
      params: IdParams,
      success: { 200: Patient },
      errors: [404],
      handler: async (request) =>
        service.setBlocked(actorOf(request), auditOrigin(request), request.params.id, blocked),
    });
  }
}
