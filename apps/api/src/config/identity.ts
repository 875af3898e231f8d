/**
 * The identity section: access-token signing, passwords, sessions, login throttling, the secrets
 * of reset tokens and MFA, and the optional bootstrap admin.
 */
import { type Static, Type } from 'typebox';
import { Bool, bool, DAY_MS } from './parse.js';

export const identityEnv = {
  JWT_ISSUER: Type.String({ default: 'diabetify', minLength: 1 }),
  JWT_PRIVATE_KEY: Type.Optional(Type.String()),
  JWT_PREVIOUS_PUBLIC_KEYS: Type.Optional(Type.String()),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ default: 900, minimum: 10, maximum: 900 }),
  ALLOW_SELF_REGISTRATION: Type.Optional(Bool),
  REQUIRE_STAFF_MFA: Type.Optional(Bool),
  PASSWORD_MIN_LENGTH_PATIENT: Type.Integer({ default: 8, minimum: 8, maximum: 64 }),
  PASSWORD_MIN_LENGTH_STAFF: Type.Integer({ default: 12, minimum: 8, maximum: 64 }),
  SESSION_ABSOLUTE_DAYS: Type.Integer({ default: 30, minimum: 1, maximum: 365 }),
  SESSION_IDLE_DAYS: Type.Integer({ default: 7, minimum: 1, maximum: 90 }),
  LOGIN_MAX_PER_IP_PER_MIN: Type.Integer({ default: 100, minimum: 1 }),
  LOGIN_MAX_FAILURES: Type.Integer({ default: 10, minimum: 3, maximum: 100 }),
  LOGIN_FAILURE_WINDOW_MIN: Type.Integer({ default: 15, minimum: 1 }),
  LOCKOUT_MINUTES: Type.Integer({ default: 15, minimum: 1 }),
  TOKEN_HMAC_SECRET: Type.Optional(Type.String()),
  MFA_ENCRYPTION_KEY: Type.Optional(Type.String()),
  BOOTSTRAP_ADMIN_USERNAME: Type.Optional(Type.String()),
  BOOTSTRAP_ADMIN_EMAIL: Type.Optional(Type.String()),
  BOOTSTRAP_ADMIN_PASSWORD: Type.Optional(Type.String()),
};
const IdentityEnv = Type.Object(identityEnv);
type IdentityEnv = Static<typeof IdentityEnv>;

export interface IdentityConfig {
  readonly auth: {
    readonly issuer: string;
    readonly privateKey: string | undefined;
    readonly previousPublicKeys: string | undefined;
    /** Access-token lifetime, seconds (≤ 900); shorter only for tests and the browser suite. */
    readonly accessTokenTtlSeconds: number;
  };
  readonly bootstrapAdmin: { readonly username: string; readonly email: string; readonly password: string } | null;
  readonly identity: {
    readonly allowSelfRegistration: boolean;
    readonly requireStaffMfa: boolean;
    readonly passwordMinLength: { readonly patient: number; readonly staff: number };
    readonly sessionAbsoluteMs: number;
    readonly sessionIdleMs: number;
    readonly loginMaxPerIpPerMinute: number;
    readonly loginMaxFailures: number;
    readonly loginFailureWindowMs: number;
    readonly lockoutMs: number;
    /** Secrets; in development they are generated into DATA_DIR/keys when unset. */
    readonly tokenHmacSecret: string | undefined;
    readonly mfaEncryptionKey: string | undefined;
  };
}

/** How many of the three bootstrap-admin variables are set: 0 or 3 are valid. */
export function bootstrapVariablesSet(env: IdentityEnv): number {
  const keys = [env.BOOTSTRAP_ADMIN_USERNAME, env.BOOTSTRAP_ADMIN_EMAIL, env.BOOTSTRAP_ADMIN_PASSWORD];
  return keys.filter((v) => v !== undefined).length;
}

export function identityConfig(env: IdentityEnv): IdentityConfig {
  return {
    auth: {
      issuer: env.JWT_ISSUER,
      privateKey: env.JWT_PRIVATE_KEY,
      previousPublicKeys: env.JWT_PREVIOUS_PUBLIC_KEYS,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    },
    identity: {
      allowSelfRegistration: bool(env.ALLOW_SELF_REGISTRATION, false),
      requireStaffMfa: bool(env.REQUIRE_STAFF_MFA, false),
      passwordMinLength: { patient: env.PASSWORD_MIN_LENGTH_PATIENT, staff: env.PASSWORD_MIN_LENGTH_STAFF },
      sessionAbsoluteMs: env.SESSION_ABSOLUTE_DAYS * DAY_MS,
      sessionIdleMs: env.SESSION_IDLE_DAYS * DAY_MS,
      loginMaxPerIpPerMinute: env.LOGIN_MAX_PER_IP_PER_MIN,
      loginMaxFailures: env.LOGIN_MAX_FAILURES,
      loginFailureWindowMs: env.LOGIN_FAILURE_WINDOW_MIN * 60_000,
      lockoutMs: env.LOCKOUT_MINUTES * 60_000,
      tokenHmacSecret: env.TOKEN_HMAC_SECRET,
      mfaEncryptionKey: env.MFA_ENCRYPTION_KEY,
    },
    bootstrapAdmin:
      bootstrapVariablesSet(env) === 3
        ? {
            username: env.BOOTSTRAP_ADMIN_USERNAME as string,
            email: env.BOOTSTRAP_ADMIN_EMAIL as string,
            password: env.BOOTSTRAP_ADMIN_PASSWORD as string,
          }
        : null,
  };
}
