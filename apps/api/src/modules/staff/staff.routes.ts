/** `/v1/staff` routes (admin only). HTTP only; rules live in the service. */

import type { FastifyInstance } from 'fastify';
import { canonicalise } from '../../lib/canonical.js';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
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

export default async function staffRoutes(app: FastifyInstance, opts: { service: StaffService }) {
  const { service } = opts;

  route(app, {
    method: 'GET',
    url: '/v1/staff',
    operationId: 'listStaff',
    summary: 'Staff accounts (page/perPage with total)',
    tags: ['staff'],
    auth: ADMIN_ONLY,
    querystring: StaffListQuery,
    success: { 200: StaffPage },
    handler: async (request) => service.list(request.query),
  });

  route(app, {
    method: 'POST',
    url: '/v1/staff',
    operationId: 'createStaff',
    summary: 'Create a staff account; without a password the person is e-mailed a set-password link',
    tags: ['staff'],
    auth: ADMIN_ONLY,
    body: CreateStaffBody,
    success: { 201: StaffMember },
    errors: [409],
    preValidation: canonicalise,
    handler: async (request, reply) => reply.status(201).send(await service.create(auditOrigin(request), request.body)),
  });

  route(app, {
    method: 'GET',
    url: '/v1/staff/:id',
    operationId: 'getStaff',
    summary: 'One staff account',
    tags: ['staff'],
    auth: ADMIN_ONLY,
    params: IdParams,
    success: { 200: StaffMember },
    errors: [404],
    handler: async (request) => service.read(request.params.id),
  });

  route(app, {
    method: 'PATCH',
    url: '/v1/staff/:id',
    operationId: 'updateStaff',
    summary: 'Edit a staff account (e-mail, name, roles, blocked); role changes and blocks end their sessions',
    tags: ['staff'],
    auth: ADMIN_ONLY,
    params: IdParams,
    body: UpdateStaffBody,
    success: { 200: StaffMember },
    errors: [404, 409],
    preValidation: canonicalise,
    handler: async (request) => service.update(actorOf(request), auditOrigin(request), request.params.id, request.body),
  });
}
