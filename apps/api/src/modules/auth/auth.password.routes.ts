/** `/v1/auth/password/*`: forgot, reset, change. HTTP only; the rules live in PasswordService. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { route } from '../../lib/route.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import type { PasswordService } from './auth.password.service.js';
import { LoginPassword } from './auth.schema.js';

/** Per client address (PR-6); the per-account limit is in the service. */
const FORGOT_PER_IP_PER_MINUTE = 10;
/** Reset tokens are 256-bit, so this only bounds cost (argon2, audit rows), not guessing. */
const RESET_PER_IP_PER_MINUTE = 20;
/** Change verifies a password: bound guessing with a stolen access token (AU-6). */
const CHANGE_PER_IP_PER_MINUTE = 10;

// Loose on purpose: a stricter format check would refuse odd but real legacy addresses, and the
// answer is the same 202 for any address anyway.
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
/** Bounded only for size here; the policy (8/12…128 characters, common passwords) is the service's. */
const NewPassword = Type.String({ minLength: 1, maxLength: 1024 });

const ForgotBody = Type.Object({ email: Email });
const ResetBody = Type.Object({
  // Any string reaches the lookup, so a mangled link gets the same `invalid_token` as an old one.
  token: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: NewPassword,
});
const ChangeBody = Type.Object({ currentPassword: LoginPassword, newPassword: NewPassword });

const Accepted = Type.Object({ status: Type.Literal('accepted') });
const Changed = Type.Object({ status: Type.Literal('password_changed') });

export default async function passwordRoutes(app: FastifyInstance, opts: { service: PasswordService }) {
  const { service } = opts;
  const tags = ['auth'];

  route(app, {
    method: 'POST',
    url: '/v1/auth/password/forgot',
    operationId: 'forgotPassword',
    summary: 'E-mail a single-use reset link; answers 202 whether or not the address is known',
    tags,
    auth: 'public',
    config: { rateLimit: { max: FORGOT_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
    body: ForgotBody,
    success: { 202: Accepted },
    handler: async (request) => {
      await service.forgot(request.body.email, auditOrigin(request));
      return { status: 'accepted' as const };
    },
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/password/reset',
    operationId: 'resetPassword',
    summary: 'Set a new password with a reset or invitation token; ends every session',
    tags,
    auth: 'public',
    config: { rateLimit: { max: RESET_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
    body: ResetBody,
    success: { 200: Changed },
    handler: async (request) => {
      await service.reset(request.body.token, request.body.newPassword, auditOrigin(request));
      return { status: 'password_changed' as const };
    },
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/password/change',
    operationId: 'changePassword',
    summary: 'Change your password (current password required); ends your other sessions',
    tags,
    auth: { audience: 'any' },
    config: { rateLimit: { max: CHANGE_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
    body: ChangeBody,
    success: { 200: Changed },
    handler: async (request) => {
      const { currentPassword, newPassword } = request.body;
      await service.change(request.principal, currentPassword, newPassword, auditOrigin(request));
      return { status: 'password_changed' as const };
    },
  });
}
