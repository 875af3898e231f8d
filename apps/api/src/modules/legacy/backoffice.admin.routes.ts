/**
 * Back-office accounts (legacy-compat.md §B, §C.1): the signed-in staff member's own account, new
 * admins, and password recovery. Adapter only: StaffService and PasswordService hold every rule
 * (uniqueness, password policy, argon2id, session revocation, audit); this file maps the old wire
 * shapes and refusals. Patients are in backoffice.users.routes.ts.
 *
 * Choices where the old contract is silent or weaker (listed in the legacy README):
 * - POST /admin/ needs an admin token (the old modal may have been public) and creates an account
 *   with all three staff roles, like the legacy `admin`.
 * - PUT /admin/password takes no current password, as before (StaffService.setOwnPasswordUnverified:
 *   policy, argon2id, other sessions ended, owner e-mailed, audited as unverified).
 */

import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { canonicalEmail, canonicalise } from '../../lib/canonical.js';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { passwordService } from '../auth/index.js';
import { Email, NewPassword } from '../patients/patients.schema.js';
import { staffService } from '../staff/index.js';
import { Username } from '../staff/staff.schema.js';
import { legacyStaff } from './legacy.auth.js';
import { legacyCall, legacyErrors, type Mapping, sendJsonString } from './legacy.responses.js';

/** The roles of the equivalent /v1 routes: any staff member for their own account, admins for /v1/staff. */
const STAFF_ANY = legacyStaff('clinician', 'assistant', 'admin');
const ADMIN_ONLY = legacyStaff('admin');

/** Per client address, like /v1/auth/password/forgot and /change. */
const RECOVER_PER_IP_PER_MINUTE = 10;
const PASSWORD_PER_IP_PER_MINUTE = 10;

export const RECOVER_ANSWER = 'Mail should be received anytime';

const tags = ['admin'];
const Admin = Type.Object({ username: Type.String(), email: Type.String() }, { title: 'Admin' });
const AdminSignUp = Type.Object({ username: Username, email: Email, password: NewPassword });
const RecoverQuery = Type.Object({
  email: Type.Optional(Type.String({ maxLength: 254 })),
  username: Type.Optional(Type.String({ maxLength: 254 })),
});
const ADMIN_MAPPING: Mapping = { notFound: 'Admin not found', resource: 'Admin' };

export default async function backofficeAdminRoutes(app: FastifyInstance) {
  const staff = staffService(app);
  const passwords = passwordService(app);

  route(app, {
    method: 'GET',
    url: '/admin/me',
    operationId: 'getAdminMe',
    summary: 'The signed-in back-office account: {username, email}',
    tags,
    auth: STAFF_ANY,
    success: { 200: Admin },
    errors: legacyErrors(401, 403),
    handler: async (request) => {
      const me = await legacyCall(ADMIN_MAPPING, () => staff.read(actorOf(request).id));
      return { username: me.username, email: me.email };
    },
  });

  route(app, {
    method: 'PUT',
    url: '/admin/mail/change',
    operationId: 'changeAdminMail',
    summary: "Change the signed-in admin's e-mail (unique among staff)",
    tags,
    auth: ADMIN_ONLY,
    querystring: Type.Object({ new_mail: Email }),
    success: { 200: Admin },
    errors: legacyErrors(400, 401, 403, 422),
    preValidation: async (request) => {
      const q = request.query as Record<string, unknown>;
      if (typeof q.new_mail === 'string') q.new_mail = canonicalEmail(q.new_mail);
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const me = await legacyCall({ ...ADMIN_MAPPING, where: 'query', names: { email: 'new_mail' } }, () =>
        staff.update(actor, auditOrigin(request), actor.id, { email: request.query.new_mail }),
      );
      return { username: me.username, email: me.email };
    },
  });

  route(app, {
    method: 'PUT',
    url: '/admin/password',
    operationId: 'changeAdminPassword',
    summary: "Set the signed-in account's password (staff policy); other sessions end",
    description:
      'As in the old API no current password is asked: the session is the proof. The owner is ' +
      'e-mailed and the change is audited. /v1 requires the current password.',
    tags,
    auth: STAFF_ANY,
    config: { rateLimit: { max: PASSWORD_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
    querystring: Type.Object({ new_password: NewPassword }),
    success: { 200: Type.String() },
    errors: legacyErrors(401, 403, 422, 429),
    handler: async (request, reply) => {
      const actor = actorOf(request);
      await legacyCall({ ...ADMIN_MAPPING, where: 'query', names: { password: 'new_password' } }, () =>
        staff.setOwnPasswordUnverified(
          actor,
          auditOrigin(request),
          request.query.new_password,
          request.principal?.sessionId ?? undefined,
        ),
      );
      return sendJsonString(reply, 'Password updated');
    },
  });

  route(app, {
    method: 'POST',
    url: '/admin/',
    operationId: 'createAdmin',
    summary: 'Create a back-office account (admin only) with all three staff roles, like the legacy admin',
    description: 'The staff password policy applies (422). Duplicate username or e-mail: 400 "… already exists".',
    tags,
    auth: ADMIN_ONLY,
    body: AdminSignUp,
    success: { 201: Admin },
    errors: legacyErrors(400, 401, 403, 422),
    preValidation: canonicalise,
    handler: async (request, reply) => {
      const { username, email, password } = request.body;
      const created = await legacyCall(ADMIN_MAPPING, () =>
        staff.create(auditOrigin(request), {
          username,
          email,
          password,
          name: username,
          roles: ['admin', 'clinician', 'assistant'],
        }),
      );
      return reply.code(201).send({ username: created.username, email: created.email });
    },
  });

  route(app, {
    method: 'POST',
    url: '/recover',
    operationId: 'recoverPassword',
    summary: 'E-mail a password-reset link (by ?email= or a staff ?username=); always the same answer',
    tags,
    auth: 'public',
    config: { rateLimit: { max: RECOVER_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
    querystring: RecoverQuery,
    success: { 200: Type.String() },
    errors: legacyErrors(422, 429),
    handler: async (request, reply) => {
      const { email, username } = request.query;
      const origin = auditOrigin(request);
      if (email) {
        await passwords.forgot(email, origin);
      } else if (username) {
        // An unknown username still runs the forgot path (with a string no e-mail equals), so
        // known and unknown names do comparable work.
        const member = await staff.findByUsername(username.normalize('NFKC').trim().toLowerCase());
        await passwords.forgot(member?.email ?? username, origin);
      }
      return sendJsonString(reply, RECOVER_ANSWER);
    },
  });
}
