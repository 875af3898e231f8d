/** `/v1/auth/mfa` routes: TOTP setup, enable, disable, and the login step-up. HTTP only. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ValidationError } from '../../lib/errors.js';
import { responses } from '../../lib/http.js';
import { auditOrigin } from '../../plugins/auth.request.js';
import type { MfaService, SecondFactor } from './auth.mfa.js';
import { LoginPassword, REFRESH_COOKIE, Tokens } from './auth.schema.js';
import { toUser } from './auth.service.js';

const ANY = { audience: 'any' } as const;
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

export default async function mfaRoutes(root: FastifyInstance, opts: { service: MfaService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;
  const cookieMaxAge = Math.floor(app.config.identity.sessionAbsoluteMs / 1000);

  app.post(
    '/v1/auth/mfa/totp/setup',
    {
      config: { auth: ANY, allowWithoutMfa: true },
      schema: {
        tags: ['auth'],
        summary: 'Start TOTP enrollment (needs the current password): secret and otpauth URI',
        body: SetupBody,
        response: responses({ 200: SetupResult }, [409]),
      },
    },
    async (request) => service.setup(request.principal, request.body.password, auditOrigin(request)),
  );

  app.post(
    '/v1/auth/mfa/totp/enable',
    {
      config: { auth: ANY, allowWithoutMfa: true },
      schema: {
        tags: ['auth'],
        summary: 'Confirm TOTP enrollment with a code; returns the recovery codes once',
        body: EnableBody,
        response: responses({ 200: EnableResult }, [409]),
      },
    },
    async (request) => service.enable(request.principal, request.body.code, auditOrigin(request)),
  );

  app.post(
    '/v1/auth/mfa/totp/disable',
    {
      config: { auth: ANY },
      schema: {
        tags: ['auth'],
        summary: 'Turn MFA off (password plus a code or recovery code); ends other sessions',
        body: DisableBody,
        response: responses({ 200: Type.Object({ disabled: Type.Literal(true) }) }, [409]),
      },
    },
    async (request) =>
      service.disable(request.principal, request.body.password, factorOf(request.body), auditOrigin(request)),
  );

  app.post(
    '/v1/auth/mfa/verify',
    {
      config: {
        auth: 'public',
        rateLimit: { max: app.config.identity.loginMaxPerIpPerMinute, timeWindow: 60_000 },
      },
      schema: {
        tags: ['auth'],
        summary: 'Second step of an MFA login: the mfaToken plus a TOTP or recovery code → tokens',
        body: VerifyBody,
        response: responses({ 200: Tokens }),
      },
    },
    async (request, reply) => {
      const { tokens, account } = await service.verify(
        request.body.mfaToken,
        factorOf(request.body),
        auditOrigin(request),
      );
      let refresh: { refreshToken?: string } = { refreshToken: tokens.refreshToken };
      if (request.body.cookie === true) {
        // Same delivery as /v1/auth/login (RT-8).
        reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, {
          httpOnly: true,
          secure: true,
          sameSite: 'strict',
          path: '/',
          maxAge: cookieMaxAge,
        });
        refresh = {};
      }
      return {
        accessToken: tokens.accessToken,
        ...refresh,
        expiresIn: tokens.expiresIn,
        tokenType: tokens.tokenType,
        user: toUser(account),
      };
    },
  );
}
