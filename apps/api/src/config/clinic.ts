/**
 * The clinic section: the clinic's timezone, the audit chain's shard count, outgoing mail, and the
 * old gateways' listeners (legacy-compat.md).
 */
import { type Static, Type } from 'typebox';
import { list } from './parse.js';

export const clinicEnv = {
  CLINIC_TIMEZONE: Type.String({ default: 'America/Argentina/Buenos_Aires' }),
  AUDIT_CHAIN_SHARDS: Type.Integer({ default: 16, minimum: 1, maximum: 256 }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ default: 'Diabetify <no-reply@diabetify.local>' }),
  // legacy gateways (modules/legacy): unset = off; 0 = any free port (tests)
  LEGACY_GATEWAY_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  LEGACY_BACKOFFICE_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  LEGACY_BACKOFFICE_CORS_ORIGINS: Type.String({ default: '' }),
};
const ClinicEnv = Type.Object(clinicEnv);
type ClinicEnv = Static<typeof ClinicEnv>;

export interface ClinicConfig {
  readonly clinic: { readonly timezone: string };
  readonly audit: { readonly chainShards: number };
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string };
  /** The old gateways' APIs on their own listeners (legacy-compat.md); null port = listener off. */
  readonly legacy: {
    readonly gatewayPort: number | null;
    readonly backofficePort: number | null;
    /** Exact origins allowed to call the back-office listener from a browser; `*` only outside production. */
    readonly backofficeCorsOrigins: readonly string[];
  };
}

export function clinicConfig(env: ClinicEnv): ClinicConfig {
  return {
    clinic: { timezone: env.CLINIC_TIMEZONE },
    audit: { chainShards: env.AUDIT_CHAIN_SHARDS },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    legacy: {
      gatewayPort: env.LEGACY_GATEWAY_PORT ?? null,
      backofficePort: env.LEGACY_BACKOFFICE_PORT ?? null,
      backofficeCorsOrigins: list(env.LEGACY_BACKOFFICE_CORS_ORIGINS),
    },
  };
}
