/** `/v1/staff` routes (admin only). HTTP only; rules live in the service. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { responses } from '../../lib/http.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { canonicalise } from '../patients/patients.routes.js';
import { IdParams } from '../patients/patients.schema.js';
import {
  ADMIN_ONLY,
  CreateStaffBody,
  StaffListQuery,
  StaffMember,
  StaffPage,
  UpdateStaffBody,
} from './staff.schema.js';
import type { StaffService } from './staff.service.js';

export default async function staffRoutes(root: FastifyInstance, opts: { service: StaffService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;

  app.get(
    '/v1/staff',
    {
      config: { auth: ADMIN_ONLY },
      schema: {
        tags: ['staff'],
        summary: 'Staff accounts (page/perPage with total)',
        querystring: StaffListQuery,
        response: responses({ 200: StaffPage }),
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/v1/staff',
    {
      config: { auth: ADMIN_ONLY },
      preValidation: canonicalise,
      schema: {
        tags: ['staff'],
        summary: 'Create a staff account; without a password the person is e-mailed a set-password link',
        body: CreateStaffBody,
        response: responses({ 201: StaffMember }, [409]),
      },
    },
    async (request, reply) => reply.status(201).send(await service.create(auditOrigin(request), request.body)),
  );

  app.get(
    '/v1/staff/:id',
    {
      config: { auth: ADMIN_ONLY },
      schema: {
        tags: ['staff'],
        summary: 'One staff account',
        params: IdParams,
        response: responses({ 200: StaffMember }, [404]),
      },
    },
    async (request) => service.read(request.params.id),
  );

  app.patch(
    '/v1/staff/:id',
    {
      config: { auth: ADMIN_ONLY },
      preValidation: canonicalise,
      schema: {
        tags: ['staff'],
        summary: 'Edit a staff account (e-mail, name, roles, blocked); role changes and blocks end their sessions',
        params: IdParams,
        body: UpdateStaffBody,
        response: responses({ 200: StaffMember }, [404, 409]),
      },
    },
    async (request) => service.update(actorOf(request), auditOrigin(request), request.params.id, request.body),
  );
}
