/** `/v1/me`: the caller's own profile, for patients and staff. */
import type { FastifyInstance } from 'fastify';
import { patientsService } from '../patients/index.js';
import { staffService } from '../staff/index.js';
import meRoutes from './me.routes.js';
import { MeService } from './me.service.js';

export default async function meModule(app: FastifyInstance) {
  await app.register(meRoutes, { service: new MeService(patientsService(app), staffService(app)) });
}
