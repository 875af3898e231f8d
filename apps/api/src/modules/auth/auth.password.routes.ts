/** `/v1/auth/password/*`: forgot, reset, change. HTTP only; the rules live in PasswordService. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { responses } from '../../lib/http.js';
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

export default async function passwordRoutes(root: FastifyInstance, opts: { service: PasswordService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;

  app.post(
    '/v1/auth/password/forgot',
    {
      config: { auth: 'public', rateLimit: { max: FORGOT_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'E-mail a single-use reset link; answers 202 whether or not the address is known',
        body: ForgotBody,
        response: responses({ 202: Accepted }),
      },
    },
    async (request, reply) => {
      await service.forgot(request.body.email, auditOrigin(request));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/v1/auth/password/reset',
    {
      config: { auth: 'public', rateLimit: { max: RESET_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a reset or invitation token; ends every session',
        body: ResetBody,
        response: responses({ 200: Changed }),
      },
    },
    async (request) => {
      await service.reset(request.body.token, request.body.newPassword, auditOrigin(request));
      return { status: 'password_changed' as const };
    },
  );

  app.post(
    '/v1/auth/password/change',
    {
      config: { auth: { audience: 'any' }, rateLimit: { max: CHANGE_PER_IP_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Change your password (current password required); ends your other sessions',
        body: ChangeBody,
        response: responses({ 200: Changed }),
      },
    },
    async (request) => {
      await service.change(
        request.principal,
        request.body.currentPassword,
        request.body.newPassword,
        auditOrigin(request),
      );
      return { status: 'password_changed' as const };
    },
  );
}
