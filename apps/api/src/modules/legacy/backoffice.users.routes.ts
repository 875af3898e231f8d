/**
 * Back-office patients (legacy-compat.md §B, §C.1): the patients grid, patient sign-up by staff,
 * edit and block. Adapter only: PatientsService holds every rule (uniqueness, password policy,
 * argon2id, session revocation on block, audit); this file maps the old wire shapes onto it and its
 * refusals onto the FastAPI answers the old React admin and scripts understand. The signed-in
 * account and password recovery are in backoffice.admin.routes.ts.
 *
 * Choices where the old contract is silent or weaker (listed in the legacy README):
 * - The gamification counters of UserSignUp are accepted and ignored: the platform derives them.
 * - POST /users/ answers 201 (a creation); the scripts accept any 2xx.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { hasAnyRole } from '../../lib/authorization.js';
import { canonicaliseBody, canonicalText } from '../../lib/canonical.js';
import { route } from '../../lib/route.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import { patientsService } from '../patients/index.js';
import {
  type CreatePatientBody,
  Email,
  NewPassword,
  PersonName,
  TidepoolId,
  type UpdatePatientBody,
} from '../patients/patients.schema.js';
import { legacyStaff } from './legacy.auth.js';
import { LegacyError } from './legacy.errors.js';
import { legacyCall, legacyErrors, type Mapping } from './legacy.responses.js';
import { LegacyUser, LegacyUserWithId, toLegacyUser } from './legacy.views.js';

// Route policies: the roles the equivalent /v1 route allows (the legacy `admin` holds all three).
/** /v1/patients (list, create, read, edit). */
const STAFF_ANY = legacyStaff('clinician', 'assistant', 'admin');
/** /v1/patients/:id/block and /unblock. */
const FRONT_DESK = legacyStaff('assistant', 'admin');
const BLOCKERS = ['assistant', 'admin'] as const;

const tags = ['users'];

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
const USER_NAMES = { hospitalAccount: 'hospital_account', tidepoolId: 'tidepool' };
const USER_MAPPING: Mapping = { notFound: 'User not found', names: USER_NAMES };

/** `preValidation`: DNI, e-mail, names and the hospital account to their canonical form, as on /v1. */
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

export default async function backofficeUsersRoutes(app: FastifyInstance) {
  const patients = patientsService(app);

  route(app, {
    method: 'GET',
    url: '/users/',
    operationId: 'listUsers',
    summary: 'Every patient with user_id, by user_id (no pagination); audited as one list read',
    tags,
    auth: STAFF_ANY,
    success: { 200: Type.Array(LegacyUserWithId) },
    errors: legacyErrors(401, 403),
    handler: async (request) => (await patients.listAll(auditOrigin(request))).map(toLegacyUser),
  });

  route(app, {
    method: 'POST',
    url: '/users/',
    operationId: 'createUser',
    summary: 'Register a patient (UserSignUp) with a password; 400 "… already exists" on a duplicate',
    description:
      'The password must meet the patient policy (422 otherwise). The counters are ignored. ' +
      'The account, its credential and the audit row are written in one transaction.',
    tags,
    auth: STAFF_ANY,
    preValidation: canonicalise,
    body: UserSignUp,
    success: { 201: LegacyUserWithId },
    errors: legacyErrors(400, 401, 403, 422),
    handler: async (request) => {
      const origin = auditOrigin(request);
      const blocked = request.body.blocked ?? false;
      const created = await legacyCall(USER_MAPPING, () =>
        patients.create(origin, toCreate(request.body), 'staff', { blocked }),
      );
      return toLegacyUser(created);
    },
  });

  route(app, {
    method: 'GET',
    url: '/users/user/:user_id',
    operationId: 'getUser',
    summary: 'One patient, without user_id (blocked patients included)',
    tags,
    auth: STAFF_ANY,
    params: UserIdParams,
    success: { 200: LegacyUser },
    errors: legacyErrors(401, 403, 404, 422),
    handler: async (request) => {
      const p = await legacyCall(USER_MAPPING, () =>
        patients.read(actorOf(request), auditOrigin(request), request.params.user_id, 'legacy'),
      );
      return withoutId(toLegacyUser(p));
    },
  });

  route(app, {
    method: 'PATCH',
    url: '/users/user/:user_id',
    operationId: 'updateUser',
    summary: 'Edit a patient (partial); answers the updated user without user_id',
    description:
      'DNI, e-mail and hospital account stay unique (400 "… already exists"). `blocked` needs the ' +
      'assistant or admin role and, when it blocks, ends every session of the patient.',
    tags,
    auth: STAFF_ANY,
    preValidation: canonicalise,
    params: UserIdParams,
    body: UserUpdate,
    success: { 200: LegacyUser },
    errors: legacyErrors(400, 401, 403, 404, 422),
    handler: async (request) => {
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
  });

  route(app, {
    method: 'POST',
    url: '/users/block/:user_id',
    operationId: 'toggleUserBlock',
    summary: "Toggle a patient's block (the old login service's alias); blocking ends their sessions",
    tags,
    auth: FRONT_DESK,
    params: UserIdParams,
    success: { 200: LegacyUserWithId },
    errors: legacyErrors(401, 403, 404, 422),
    handler: async (request) => {
      const actor = actorOf(request);
      const origin = auditOrigin(request);
      const id = request.params.user_id;
      const p = await legacyCall(USER_MAPPING, async () => {
        const current = await patients.read(actor, origin, id, 'legacy');
        return patients.setBlocked(actor, origin, id, !current.blocked);
      });
      return toLegacyUser(p);
    },
  });
}
