/**
 * Patient gateway: the caller's profile and password recovery (legacy-compat.md A.3, A.8, E.20,
 * E.23). Adapter only: reads and edits go through PatientsService (audited, unique fields checked
 * there), recovery through PasswordService (same answer for unknown addresses, single-use 15-minute
 * links, every session ended on success). This file maps the wire shapes and the error texts.
 *
 * Choices where the contract leaves room (also in the legacy README):
 * - PATCH honours `name`, `surname`, `email` (what the app's profile screen sends). `dni`,
 *   `password`, `hospital_account` and any other field are ignored, like Pydantic ignores unknown
 *   fields (security.md AZ-5 allows "ignore, documented"): the DNI is the login name and the
 *   hospital account the clinic's record number, both changed by staff only; a password changes
 *   through the reset link, never without proof of the current one. Ignored names are audited.
 * - Refusals of /reset-password are 400, not the 401 of the old unit tests: a 401 would send the
 *   app into its refresh-then-logout path. The new password follows our policy (8+ characters,
 *   not a common password); the old UI allowed 6 — a deliberate difference.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Actor } from '../../lib/authorization.js';
import { canonicalise } from '../../lib/canonical.js';
import { AppError } from '../../lib/errors.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import { passwordService } from '../auth/index.js';
import { patientsService } from '../patients/index.js';
import type { Patient } from '../patients/patients.schema.js';
import { Email, PersonName } from '../patients/patients.schema.js';
import { LEGACY_PATIENT, patientIdOf } from './legacy.auth.js';
import { LegacyError, LegacyValidationError } from './legacy.errors.js';
import { Detail, sendJsonString, ValidationDetail } from './legacy.responses.js';
import { LegacyUser, toLegacyUser } from './legacy.views.js';

/** Same per-address budgets as `/v1/auth/password/*` (PR-6); the per-account limit is the service's. */
const FORGOT_PER_IP_PER_MINUTE = 10;
const RESET_PER_IP_PER_MINUTE = 20;

export const FORGOT_ANSWER = 'Mail should be received anytime';
export const RESET_ANSWER = 'Password updated successfully';

/** Fields of the old user model a patient may send but not change here (audited by name when sent). */
const IGNORED_FIELDS = [
  'dni',
  'password',
  'hospital_account',
  'blocked',
  'tidepool',
  'times_measured',
  'streak',
  'max_streak',
  'user_id',
];

const ignored = (why: string) => Type.Optional(Type.Unknown({ description: `Ignored: ${why}` }));

const PatchMeBody = Type.Object(
  {
    name: Type.Optional(PersonName),
    surname: Type.Optional(PersonName),
    email: Type.Optional(Email),
    dni: ignored('the DNI is the login name; the clinic corrects it'),
    password: ignored('use /forgot-password; a password never changes without proof'),
    hospital_account: ignored("the clinic's record number; staff change it"),
  },
  {
    additionalProperties: true,
    description: 'Partial: name, surname and e-mail (unique) are changed; other fields are ignored, as before.',
  },
);

const ForgotBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) });
const ResetBody = Type.Object({
  // Any string reaches the lookup, so a mangled link gets the same answer as an old one.
  token: Type.String({ minLength: 1, maxLength: 256 }),
  // Bounded for size only; the policy is the service's (its refusal is a 400 with the reason).
  new_password: Type.String({ minLength: 1, maxLength: 1024 }),
});
const ResetAnswer = Type.Object({ status: Type.Literal('ok'), message: Type.String() });

function actorOf(request: FastifyRequest): Actor {
  return { kind: 'patient', id: patientIdOf(request), roles: ['patient'] };
}

function wireUser(p: Patient) {
  const { user_id: _hidden, ...user } = toLegacyUser(p);
  return user;
}

/** A domain `ValidationError` on a profile field → FastAPI's 422 list, located on the wire name. */
function validationIssues(err: AppError) {
  const WIRE: Record<string, string> = { hospitalAccount: 'hospital_account' };
  return Object.entries(err.errors ?? { body: err.message }).map(([key, msg]) => {
    const field = key.replace(/^body\.?/, '');
    return { loc: field ? ['body', WIRE[field] ?? field] : ['body'], msg, type: 'value_error' };
  });
}

const FIELD_WORDS: Record<string, string> = { email: 'email', hospitalAccount: 'hospital account', dni: 'DNI' };

function profileError(err: unknown): never {
  if (err instanceof AppError) {
    if (err.code === 'duplicate') {
      const field = Object.keys(err.errors ?? {})[0]?.replace(/^body\./, '') ?? 'email';
      throw new LegacyError(400, `A user with this ${FIELD_WORDS[field] ?? field} already exists`);
    }
    if (err.code === 'validation_failed') throw new LegacyValidationError(validationIssues(err));
  }
  throw err;
}

function resetError(err: unknown): never {
  if (err instanceof AppError) {
    if (err.code === 'invalid_token') throw new LegacyError(400, 'Invalid or expired recovery token');
    // The password policy: the service's sentence names the rule ("…at least 8 characters.").
    if (err.code === 'validation_failed') throw new LegacyError(400, err.message);
  }
  throw err;
}

export default async function gatewayUsersRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const patients = patientsService(root);
  const passwords = passwordService(root);

  app.get(
    '/users/me',
    {
      config: { auth: LEGACY_PATIENT },
      schema: {
        tags: ['users'],
        summary: 'The signed-in patient (no numeric user_id); counters as stored by the last reading',
        response: { 200: LegacyUser, 401: Detail, 404: Detail },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return wireUser(await patients.read(actor, auditOrigin(request), actor.id, 'legacy'));
    },
  );

  app.patch(
    '/users/me',
    {
      config: { auth: LEGACY_PATIENT },
      preValidation: canonicalise,
      schema: {
        tags: ['users'],
        summary: 'Change your name, surname or e-mail (partial); answers the full updated user',
        body: PatchMeBody,
        response: { 200: LegacyUser, 400: Detail, 401: Detail, 404: Detail, 422: ValidationDetail },
      },
    },
    async (request) => {
      const body = request.body as Record<string, unknown> & { name?: string; surname?: string; email?: string };
      const sent = IGNORED_FIELDS.filter((f) => body[f] !== undefined);
      const patch = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.surname === undefined ? {} : { surname: body.surname }),
        ...(body.email === undefined ? {} : { email: body.email }),
      };
      try {
        return wireUser(await patients.edits.updateOwnContact(actorOf(request), auditOrigin(request), patch, sent));
      } catch (err) {
        profileError(err);
      }
    },
  );

  app.post(
    '/forgot-password',
    {
      config: { auth: 'public', rateLimit: { max: FORGOT_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['password'],
        summary: `E-mail a single-use reset link (15 min); always answers "${FORGOT_ANSWER}"`,
        body: ForgotBody,
        response: { 200: Type.String(), 422: ValidationDetail, 429: Detail },
      },
    },
    async (request, reply) => {
      await passwords.forgot(request.body.email, auditOrigin(request), 'query');
      // A bare JSON string (A.8, E.10): Fastify sends a string payload as is, so it is encoded here.
      return sendJsonString(reply, FORGOT_ANSWER);
    },
  );

  app.post(
    '/reset-password',
    {
      config: { auth: 'public', rateLimit: { max: RESET_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['password'],
        summary: 'Set a new password with the e-mailed token; ends every session. Refusals are 400',
        body: ResetBody,
        response: { 200: ResetAnswer, 400: Detail, 422: ValidationDetail, 429: Detail },
      },
    },
    async (request) => {
      try {
        await passwords.reset(request.body.token, request.body.new_password, auditOrigin(request));
      } catch (err) {
        resetError(err);
      }
      return { status: 'ok' as const, message: RESET_ANSWER };
    },
  );
}
