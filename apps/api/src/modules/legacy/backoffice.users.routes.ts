/**
 * Back-office users and admins (legacy-compat.md §B, §C.1): the patients grid, patient sign-up by
 * staff, edit and block, the signed-in admin's own account, and password recovery. Adapter only:
 * PatientsService, StaffService and PasswordService hold every rule (uniqueness, password policy,
 * argon2id, session revocation on block, audit); this file maps the old wire shapes onto them and
 * their refusals onto the FastAPI answers the old React admin and scripts understand.
 *
 * Choices where the old contract is silent or weaker (listed in the legacy README):
 * - The gamification counters of UserSignUp are accepted and ignored: the platform derives them.
 * - POST /users/ answers 201 (a creation); the scripts accept any 2xx.
 * - POST /admin/ needs an admin token (the old modal may have been public) and creates an account
 *   with all three staff roles, like the legacy `admin`.
 * - PUT /admin/password takes no current password, as before (StaffService.setOwnPasswordUnverified:
 *   policy, argon2id, other sessions ended, owner e-mailed, audited as unverified).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { hasAnyRole } from '../../lib/authorization.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { passwordService } from '../auth/index.js';
import { patientsService } from '../patients/index.js';
import {
  type CreatePatientBody,
  canonicalEmail,
  canonicaliseBody,
  canonicalText,
  Email,
  NewPassword,
  PersonName,
  TidepoolId,
  type UpdatePatientBody,
} from '../patients/patients.schema.js';
import { staffService } from '../staff/index.js';
import { Username } from '../staff/staff.schema.js';
import { legacyStaff } from './legacy.auth.js';
import { LegacyError } from './legacy.errors.js';
import { Detail, legacyCall, type Mapping, sendJsonString, ValidationDetail } from './legacy.responses.js';
import { LegacyUser, LegacyUserWithId, toLegacyUser } from './legacy.views.js';

// Route policies: the roles the equivalent /v1 route allows (the legacy `admin` holds all three).
/** /v1/patients (list, create, read, edit). */
const STAFF_ANY = legacyStaff('clinician', 'assistant', 'admin');
/** /v1/patients/:id/block and /unblock. */
const FRONT_DESK = legacyStaff('assistant', 'admin');
const BLOCKERS = ['assistant', 'admin'] as const;
/** /v1/staff (create, edit). */
const ADMIN_ONLY = legacyStaff('admin');

/** Per client address, like /v1/auth/password/forgot and /change. */
const RECOVER_PER_IP_PER_MINUTE = 10;
const PASSWORD_PER_IP_PER_MINUTE = 10;

export const RECOVER_ANSWER = 'Mail should be received anytime';

// ---------------------------------------------------------------------------------------------
// Wire schemas

/** Old DNIs are free strings (`TEST<timestamp>` in the scripts, `1000` in the seed), not 7–9 digits. */
const LegacyDni = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9]+$',
  description: 'Letters and digits; dots, spaces and hyphens are removed first',
});
const HospitalAccount = Type.String({
  maxLength: 50,
  pattern: '^[^\\u0000-\\u001f\\u007f]*$',
  description: 'Unique; "" = none',
});
const Tidepool = Type.Union([TidepoolId, Type.Literal(''), Type.Null()], { description: 'null or "" = none' });
const Counter = Type.Integer({ minimum: 0, description: 'Ignored: the platform derives it from the readings' });

const UserSignUp = Type.Object({
  dni: LegacyDni,
  name: PersonName,
  surname: PersonName,
  email: Email,
  password: NewPassword,
  hospital_account: HospitalAccount,
  blocked: Type.Optional(Type.Boolean({ default: false })),
  tidepool: Type.Optional(Tidepool),
  times_measured: Type.Optional(Counter),
  streak: Type.Optional(Counter),
  max_streak: Type.Optional(Counter),
});
type UserSignUp = Static<typeof UserSignUp>;

const UserUpdate = Type.Object(
  {
    dni: Type.Optional(LegacyDni),
    name: Type.Optional(PersonName),
    surname: Type.Optional(PersonName),
    email: Type.Optional(Email),
    hospital_account: Type.Optional(HospitalAccount),
    tidepool: Type.Optional(Tidepool),
    blocked: Type.Optional(Type.Boolean({ description: 'Needs the assistant or admin role' })),
  },
  { description: 'Partial; other fields (password, counters) are ignored' },
);
type UserUpdate = Static<typeof UserUpdate>;

const UserIdParams = Type.Object({ user_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const Admin = Type.Object({ username: Type.String(), email: Type.String() }, { title: 'Admin' });
const AdminSignUp = Type.Object({ username: Username, email: Email, password: NewPassword });
const RecoverQuery = Type.Object({
  email: Type.Optional(Type.String({ maxLength: 254 })),
  username: Type.Optional(Type.String({ maxLength: 254 })),
});

const USER_NAMES = { hospitalAccount: 'hospital_account', tidepoolId: 'tidepool' };
const USER_MAPPING: Mapping = { notFound: 'User not found', names: USER_NAMES };
const ADMIN_MAPPING: Mapping = { notFound: 'Admin not found', resource: 'Admin' };

/** `preValidation`: DNI, e-mail, names and usernames to their canonical form, as on /v1. */
async function canonicalise(request: FastifyRequest): Promise<void> {
  canonicaliseBody(request.body);
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body.hospital_account === 'string') body.hospital_account = canonicalText(body.hospital_account);
}

/** `''` and null mean "none" on the old wire. */
const orNull = (v: string | null | undefined) => (v === undefined ? undefined : v === '' ? null : v);

function toCreate(b: UserSignUp): CreatePatientBody {
  const hospital = orNull(b.hospital_account);
  const tidepool = orNull(b.tidepool);
  return {
    dni: b.dni,
    email: b.email,
    name: b.name,
    surname: b.surname,
    password: b.password,
    ...(hospital ? { hospitalAccount: hospital } : {}),
    ...(tidepool ? { tidepoolId: tidepool } : {}),
  };
}

function toUpdate(b: UserUpdate): UpdatePatientBody {
  const patch: UpdatePatientBody = {};
  if (b.dni !== undefined) patch.dni = b.dni;
  if (b.email !== undefined) patch.email = b.email;
  if (b.name !== undefined) patch.name = b.name;
  if (b.surname !== undefined) patch.surname = b.surname;
  if (b.hospital_account !== undefined) patch.hospitalAccount = orNull(b.hospital_account) ?? null;
  if (b.tidepool !== undefined) patch.tidepoolId = orNull(b.tidepool) ?? null;
  return patch;
}

function withoutId(user: ReturnType<typeof toLegacyUser>) {
  const { user_id: _hidden, ...rest } = user;
  return rest;
}

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, c === 422 ? ValidationDetail : Detail])) as Record<number, typeof Detail>;

export default async function backofficeUsersRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const patients = patientsService(root);
  const staff = staffService(root);
  const passwords = passwordService(root);

  app.get(
    '/users/',
    {
      config: { auth: STAFF_ANY },
      schema: {
        tags: ['users'],
        summary: 'Every patient with user_id, by user_id (no pagination); audited as one list read',
        response: { 200: Type.Array(LegacyUserWithId), ...errors(401, 403) },
      },
    },
    async (request) => (await patients.listAll(auditOrigin(request))).map(toLegacyUser),
  );

  app.post(
    '/users/',
    {
      config: { auth: STAFF_ANY },
      preValidation: canonicalise,
      schema: {
        tags: ['users'],
        summary: 'Register a patient (UserSignUp) with a password; 400 "… already exists" on a duplicate',
        description:
          'The password must meet the patient policy (422 otherwise). The counters are ignored. ' +
          'The account, its credential and the audit row are written in one transaction.',
        body: UserSignUp,
        response: { 201: LegacyUserWithId, ...errors(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const origin = auditOrigin(request);
      const blocked = request.body.blocked ?? false;
      const created = await legacyCall(USER_MAPPING, () =>
        patients.create(origin, toCreate(request.body), 'staff', { blocked }),
      );
      return reply.code(201).send(toLegacyUser(created));
    },
  );

  app.get(
    '/users/user/:user_id',
    {
      config: { auth: STAFF_ANY },
      schema: {
        tags: ['users'],
        summary: 'One patient, without user_id (blocked patients included)',
        params: UserIdParams,
        response: { 200: LegacyUser, ...errors(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await legacyCall(USER_MAPPING, () =>
        patients.read(actorOf(request), auditOrigin(request), request.params.user_id, 'legacy'),
      );
      return withoutId(toLegacyUser(p));
    },
  );

  app.patch(
    '/users/user/:user_id',
    {
      config: { auth: STAFF_ANY },
      preValidation: canonicalise,
      schema: {
        tags: ['users'],
        summary: 'Edit a patient (partial); answers the updated user without user_id',
        description:
          'DNI, e-mail and hospital account stay unique (400 "… already exists"). `blocked` needs the ' +
          'assistant or admin role and, when it blocks, ends every session of the patient.',
        params: UserIdParams,
        body: UserUpdate,
        response: { 200: LegacyUser, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const origin = auditOrigin(request);
      const id = request.params.user_id;
      const body = request.body;
      // Checked before anything is written, so a refused block leaves the profile untouched too.
      if (body.blocked !== undefined && !hasAnyRole(actor, BLOCKERS)) {
        throw new LegacyError(403, 'Not enough permissions to block or unblock a user');
      }
      const patch = toUpdate(body);
      let p = await legacyCall(USER_MAPPING, () =>
        Object.keys(patch).length > 0
          ? patients.update(actor, origin, id, patch)
          : patients.read(actor, origin, id, 'legacy'),
      );
      if (body.blocked !== undefined && body.blocked !== p.blocked) {
        const blocked = body.blocked;
        p = await legacyCall(USER_MAPPING, () => patients.setBlocked(actor, origin, id, blocked));
      }
      return withoutId(toLegacyUser(p));
    },
  );

  app.post(
    '/users/block/:user_id',
    {
      config: { auth: FRONT_DESK },
      schema: {
        tags: ['users'],
        summary: "Toggle a patient's block (the old login service's alias); blocking ends their sessions",
        params: UserIdParams,
        response: { 200: LegacyUserWithId, ...errors(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const origin = auditOrigin(request);
      const id = request.params.user_id;
      const p = await legacyCall(USER_MAPPING, async () => {
        const current = await patients.read(actor, origin, id, 'legacy');
        return patients.setBlocked(actor, origin, id, !current.blocked);
      });
      return toLegacyUser(p);
    },
  );

  // -------------------------------------------------------------------------------------------
  // Admins: the signed-in staff member's own account, new admins, password recovery

  app.get(
    '/admin/me',
    {
      config: { auth: STAFF_ANY },
      schema: {
        tags: ['admin'],
        summary: 'The signed-in back-office account: {username, email}',
        response: { 200: Admin, ...errors(401, 403) },
      },
    },
    async (request) => {
      const me = await legacyCall(ADMIN_MAPPING, () => staff.read(actorOf(request).id));
      return { username: me.username, email: me.email };
    },
  );

  app.put(
    '/admin/mail/change',
    {
      config: { auth: ADMIN_ONLY },
      preValidation: async (request) => {
        const q = request.query as Record<string, unknown>;
        if (typeof q.new_mail === 'string') q.new_mail = canonicalEmail(q.new_mail);
      },
      schema: {
        tags: ['admin'],
        summary: "Change the signed-in admin's e-mail (unique among staff)",
        querystring: Type.Object({ new_mail: Email }),
        response: { 200: Admin, ...errors(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const me = await legacyCall({ ...ADMIN_MAPPING, where: 'query', names: { email: 'new_mail' } }, () =>
        staff.update(actor, auditOrigin(request), actor.id, { email: request.query.new_mail }),
      );
      return { username: me.username, email: me.email };
    },
  );

  app.put(
    '/admin/password',
    {
      config: { auth: STAFF_ANY, rateLimit: { max: PASSWORD_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['admin'],
        summary: "Set the signed-in account's password (staff policy); other sessions end",
        description:
          'As in the old API no current password is asked: the session is the proof. The owner is ' +
          'e-mailed and the change is audited. /v1 requires the current password.',
        querystring: Type.Object({ new_password: NewPassword }),
        response: { 200: Type.String(), ...errors(401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
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
  );

  app.post(
    '/admin/',
    {
      config: { auth: ADMIN_ONLY },
      preValidation: canonicalise,
      schema: {
        tags: ['admin'],
        summary: 'Create a back-office account (admin only) with all three staff roles, like the legacy admin',
        description: 'The staff password policy applies (422). Duplicate username or e-mail: 400 "… already exists".',
        body: AdminSignUp,
        response: { 201: Admin, ...errors(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
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
  );

  app.post(
    '/recover',
    {
      config: { auth: 'public', rateLimit: { max: RECOVER_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['admin'],
        summary: 'E-mail a password-reset link (by ?email= or a staff ?username=); always the same answer',
        querystring: RecoverQuery,
        response: { 200: Type.String(), ...errors(422, 429) },
      },
    },
    async (request, reply) => {
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
  );
}
