/** `/v1/patients` routes. HTTP only: rules, authorization of records and audit live in the service. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { responses } from '../../lib/http.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import {
  CreatePatientBody,
  canonicaliseBody,
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

/** `preValidation` hook: identifiers and names to their canonical form before the schema sees them. */
export async function canonicalise(request: FastifyRequest): Promise<void> {
  canonicaliseBody(request.body);
}

export default async function patientRoutes(root: FastifyInstance, opts: { service: PatientsService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;

  app.get(
    '/v1/patients',
    {
      config: { auth: STAFF_ANY },
      schema: {
        tags: ['patients'],
        summary: 'Search patients (page/perPage with total); audited as one list read',
        querystring: ListQuery,
        response: responses({ 200: PatientPage }),
      },
    },
    async (request) => service.list(auditOrigin(request), request.query),
  );

  app.post(
    '/v1/patients',
    {
      config: { auth: STAFF_ANY },
      preValidation: canonicalise,
      schema: {
        tags: ['patients'],
        summary: 'Register a patient; without a password the patient is e-mailed a set-password link',
        body: CreatePatientBody,
        response: responses({ 201: Patient }, [409]),
      },
    },
    async (request, reply) => {
      const patient = await service.create(auditOrigin(request), request.body, 'staff');
      return reply.status(201).send(patient);
    },
  );

  app.get(
    '/v1/patients/:id',
    {
      config: { auth: STAFF_OR_SELF },
      schema: {
        tags: ['patients'],
        summary: 'One patient (staff; a patient only their own record, anyone else is 404)',
        params: IdParams,
        response: responses({ 200: Patient }, [404]),
      },
    },
    async (request) => service.read(actorOf(request), auditOrigin(request), request.params.id),
  );

  app.patch(
    '/v1/patients/:id',
    {
      config: { auth: STAFF_ANY },
      preValidation: canonicalise,
      schema: {
        tags: ['patients'],
        summary: 'Edit a patient (not blocked, counters or password: those fields are refused)',
        params: IdParams,
        body: UpdatePatientBody,
        response: responses({ 200: Patient }, [404, 409]),
      },
    },
    async (request) => service.update(actorOf(request), auditOrigin(request), request.params.id, request.body),
  );

  for (const [verb, blocked] of [
    ['block', true],
    ['unblock', false],
  ] as const) {
    app.post(
      `/v1/patients/:id/${verb}`,
      {
        config: { auth: FRONT_DESK },
        schema: {
          tags: ['patients'],
          summary: blocked
            ? 'Block a patient: sign-in refused and every session revoked at once'
            : 'Unblock a patient (they sign in again; revoked sessions stay revoked)',
          params: IdParams,
          response: responses({ 200: Patient }, [404]),
        },
      },
      async (request) => service.setBlocked(actorOf(request), auditOrigin(request), request.params.id, blocked),
    );
  }
}
