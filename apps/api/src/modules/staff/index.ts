/** Staff accounts: clinicians, assistants and admins (admin-only management). */
import type { FastifyInstance } from 'fastify';
import { issuePasswordToken } from '../auth/auth.password-tokens.js';
import staffRoutes from './staff.routes.js';
import { StaffService } from './staff.service.js';

export { StaffService, toStaffMember } from './staff.service.js';

export function staffService(app: FastifyInstance): StaffService {
  return new StaffService({
    db: app.db.db,
    audit: app.audit,
    events: app.events,
    sessions: app.sessions,
    clock: app.clock,
    passwordMinLength: app.config.identity.passwordMinLength.staff,
    invite: async (tx, to) => {
      await issuePasswordToken(app, tx, to, 'invite');
    },
  });
}

export default async function staffModule(app: FastifyInstance) {
  await app.register(staffRoutes, { service: staffService(app) });
}
