/**
 * Who is calling: the shapes the auth plugin puts on a request and that routes, services and tests
 * read. They live in lib/ so that plugins, modules and tests share one definition without a plugin
 * importing a module (architecture: floors that stack). The token format itself is modules/auth's.
 */

/** Token audiences: the patient app (and devices) vs the back-office (staff). */
export const AUDIENCES = { app: 'diabetify-app', backoffice: 'diabetify-backoffice' } as const;
export type Audience = (typeof AUDIENCES)[keyof typeof AUDIENCES];

export type Role = 'patient' | 'clinician' | 'assistant' | 'admin' | 'device';
export type PrincipalKind = 'patient' | 'staff' | 'device';

export type RoutePolicy =
  | 'public'
  | {
      /** `app`: patient and device tokens; `backoffice`: staff tokens; `any`: both. */
      audience: 'app' | 'backoffice' | 'any';
      /** Any one of these roles suffices; omitted = any authenticated caller of the audience. */
      roles?: readonly Role[];
      /**
       * Device API keys (`dk_…` as `Authorization: Bearer` or `X-API-Key`) are accepted here. On every
       * other route a device key is refused with 401. Needs audience `app` or `any`.
       */
      devices?: boolean;
    };

export interface Principal {
  kind: PrincipalKind;
  id: number;
  roles: readonly Role[];
  /** The role this request acts under: the first of the route's roles the principal holds. */
  actingRole: Role | 'anonymous';
  /** Authentication methods of the session (`pwd`, `otp`). */
  amr: readonly string[];
  audience: Audience;
  sessionId: string | null;
  tokenId: string;
  /** Device principals only: the `api_keys` row that authenticated the request. */
  apiKeyId?: number;
}

/** The claims of an access token we issue (modules/auth signs them, the auth plugin reads them). */
export interface AccessClaims {
  subject: string;
  audience: Audience;
  roles: readonly string[];
  sessionId: string | null;
  tokenId: string;
  /** Authentication methods (RFC 8176): `pwd`, plus `otp` after a TOTP step-up. */
  amr?: readonly string[];
}

export interface VerifiedAccess extends AccessClaims {
  expiresAt: number;
}

/** `patient:12`, `staff:3`, `device:7`: the `sub` claim. */
export function subjectOf(kind: PrincipalKind, id: number): string {
  return `${kind}:${id}`;
}
