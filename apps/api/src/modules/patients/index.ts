/**
 * Patients: registration by staff (and optional self-registration), search, profile, block/unblock.
 * The patient's own view and preferences are `/v1/me` (modules/me).
 */
import type { FastifyInstance } from 'fastify';
import { passwordTokens } from '../auth/index.js';
import { sendAfterCommit } from '../notifications/mailer.js';
import { emailChangedMessage } from '../notifications/messages.js';
import registerRoute from './patients.register.routes.js';
import patientRoutes from './patients.routes.js';
import { PatientsService } from './patients.service.js';

export { toPatient } from './patients.profile.js';
export { PatientsService } from './patients.service.js';

export function patientsService(app: FastifyInstance): PatientsService {
  return new PatientsService({
    db: app.db.db,
    audit: app.audit,
    events: app.events,
    sessions: app.sessions,
    clock: app.clock,
    passwordMinLength: app.config.identity.passwordMinLength.patient,
    invite: async (tx, to) => {
      await passwordTokens(app).issue(tx, to, 'invite');
    },
    emailChanged: async (tx, previous) => {
      const content = emailChangedMessage(previous.name, app.clock.now(), app.config.clinic.timezone);
      await sendAfterCommit(app, tx, { to: previous.email, ...content }, 'email_changed');
    },
  });
}

export default async function patientsModule(app: FastifyInstance) {
  const service = patientsService(app);
  await app.register(patientRoutes, { service });
  await app.register(registerRoute, { service });
}
