/** Staff accounts: clinicians, assistants and admins (admin-only management). */
import type { FastifyInstance } from 'fastify';
import { passwordService, passwordTokens } from '../auth/index.js';
import { sendAfterCommit } from '../notifications/mailer.js';
import { passwordChangedMessage } from '../notifications/messages.js';
import staffRoutes from './staff.routes.js';
import { StaffService } from './staff.service.js';

export { StaffService, toStaffMember } from './staff.service.js';

export function staffService(app: FastifyInstance): StaffService {
  const tokens = passwordTokens(app);
  return new StaffService({
    db: app.db.db,
    audit: app.audit,
    events: app.events,
    sessions: app.sessions,
    passwords: passwordService(app),
    clock: app.clock,
    passwordMinLength: app.config.identity.passwordMinLength.staff,
    invite: async (tx, to) => {
      await tokens.issue(tx, to, 'invite');
    },
    notifyPasswordChanged: async (tx, to, at) => {
      const content = passwordChangedMessage(to.name, at, app.config.clinic.timezone);
      await sendAfterCommit(app, tx, { to: to.email, ...content }, 'password_changed');
    },
  });
}

export default async function staffModule(app: FastifyInstance) {
  await app.register(staffRoutes, { service: staffService(app) });
}
