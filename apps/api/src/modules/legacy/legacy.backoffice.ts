/** The back-office gateway's routes (legacy-compat.md §B), at root paths on LEGACY_BACKOFFICE_PORT. */
import type { FastifyInstance } from 'fastify';
import backofficeAdminRoutes from './backoffice.admin.routes.js';
import backofficeAppointmentsRoutes from './backoffice.appointments.routes.js';
import backofficeGlucoseRoutes from './backoffice.glucose.routes.js';
import backofficeUsersRoutes from './backoffice.users.routes.js';
import legacyTokenRoutes from './legacy.auth.js';

export default async function backofficeRoutes(app: FastifyInstance) {
  await app.register(legacyTokenRoutes, { kind: 'backoffice' });
  await app.register(backofficeUsersRoutes);
  await app.register(backofficeAdminRoutes);
  await app.register(backofficeGlucoseRoutes);
  await app.register(backofficeAppointmentsRoutes);
}
