/** The patient gateway's routes (legacy-compat.md §A), at root paths on LEGACY_GATEWAY_PORT. */
import type { FastifyInstance } from 'fastify';
import gatewayAppointmentsRoutes from './gateway.appointments.routes.js';
import gatewayGlucoseRoutes from './gateway.glucose.routes.js';
import gatewayUsersRoutes from './gateway.users.routes.js';
import legacyTokenRoutes from './legacy.auth.js';

export default async function gatewayRoutes(app: FastifyInstance) {
  await app.register(legacyTokenRoutes, { kind: 'gateway' });
  await app.register(gatewayUsersRoutes);
  await app.register(gatewayGlucoseRoutes);
  await app.register(gatewayAppointmentsRoutes);
}
