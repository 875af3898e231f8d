/** `/v1/auth/mfa` routes: TOTP setup, enable, disable, and the login step-up. HTTP only. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ValidationError } from '../../lib/errors.js';
import { route } from '../../lib/route.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import type { MfaService, SecondFactor } from './auth.mfa.js';
import { signedIn } from './auth.routes.js';
import { LoginPassword, Tokens } from './auth.schema.js';

const ANY = { audience: 'any' } as const;
const tags = ['auth'];
const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'Six-digit TOTP code' });
const RecoveryCode = Type.String({ minLength: 10, maxLength: 16, pattern: '^[A-Za-z2-7 -]+$' });

const SetupBody = Type.Object({ password: LoginPassword });
const SetupResult = Type.Object({
  secret: Type.String({ description: 'Base32 TOTP secret, for manual entry' }),
  otpauthUri: Type.String({ description: 'otpauth://totp/… URI for a QR code' }),
});
const EnableBody = Type.Object({ code: TotpCode });
const EnableResult = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Single-use codes; shown only now' }),
});
const DisableBody = Type.Object({
  password: LoginPassword,
  code: Type.Optional(TotpCode),
  recoveryCode: Type.Optional(RecoveryCode),
});
const VerifyBody = Type.Object({
  mfaToken: Type.String({ minLength: 20, maxLength: 200 }),
  code: Type.Optional(TotpCode),
  recoveryCode: Type.Optional(RecoveryCode),
  /** Browser clients: put the refresh token in an HttpOnly cookie instead of the body. */
  cookie: Type.Optional(Type.Boolean()),
});

/** Exactly one of `code` and `recoveryCode`. */
function factorOf(body: { code?: string | undefined; recoveryCode?: string | undefined }): SecondFactor {
  if (body.code !== undefined && body.recoveryCode === undefined) return { code: body.code };
  if (body.recoveryCode !== undefined && body.code === undefined) return { recoveryCode: body.recoveryCode };
  throw new ValidationError({ 'body.code': 'give either code or recoveryCode' });
}

export default async function mfaRoutes(app: FastifyInstance, opts: { service: MfaService }) {
  const { service } = opts;
  const cookieMaxAge = Math.floor(app.config.identity.sessionAbsoluteMs / 1000);

  route(app, {
    method: 'POST',
    url: '/v1/auth/mfa/totp/setup',
    operationId: 'setupTotp',
    summary: 'Start TOTP enrollment (needs the current password): secret and otpauth URI',
    tags,
    auth: ANY,
    config: { allowWithoutMfa: true },
    body: SetupBody,
    success: { 200: SetupResult },
    errors: [409],
    handler: async (request) => service.setup(request.principal, request.body.password, auditOrigin(request)),
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/mfa/totp/enable',
    operationId: 'enableTotp',
    summary: 'Confirm TOTP enrollment with a code; returns the recovery codes once',
    tags,
    auth: ANY,
    config: { allowWithoutMfa: true },
    body: EnableBody,
    success: { 200: EnableResult },
    errors: [409],
    handler: async (request) => service.enable(request.principal, request.body.code, auditOrigin(request)),
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/mfa/totp/disable',
    operationId: 'disableTotp',
    summary: 'Turn MFA off (password plus a code or recovery code); ends other sessions',
    tags,
    auth: ANY,
    body: DisableBody,
    success: { 200: Type.Object({ disabled: Type.Literal(true) }) },
    errors: [409],
    handler: async (request) =>
      service.disable(request.principal, request.body.password, factorOf(request.body), auditOrigin(request)),
  });

  route(app, {
    method: 'POST',
    url: '/v1/auth/mfa/verify',
    operationId: 'verifyMfa',
    summary: 'Second step of an MFA login: the mfaToken plus a TOTP or recovery code → tokens',
    tags,
    auth: 'public',
    config: { rateLimit: { max: app.config.identity.loginMaxPerIpPerMinute, timeWindow: 60_000 } },
    body: VerifyBody,
    success: { 200: Tokens },
    handler: async (request, reply) => {
      const result = await service.verify(request.body.mfaToken, factorOf(request.body), auditOrigin(request));
      // Same body and refresh delivery as /v1/auth/login (RT-8).
      return signedIn(reply, result, request.body.cookie === true, cookieMaxAge);
    },
  });
}
