/** Device API key schemas: the key itself appears only in the create and rotate responses. */
import { Id, IsoDateTime, OffsetPage } from '@diabetify/contracts';
import { Type } from 'typebox';
import type { RoutePolicy } from '../../lib/principal.js';

/** The patient (their own keys) or an admin; clinicians and assistants get 403 from the policy. */
export const KEY_MANAGERS: RoutePolicy = { audience: 'any', roles: ['patient', 'admin'] };

export const SCOPES = ['readings:write'] as const;

export const PatientParams = Type.Object({ id: Id });
export const KeyParams = Type.Object({ id: Id, keyId: Id });

export const CreateApiKeyBody = Type.Object({
  /** What the patient calls the device, e.g. "Contour meter" (no control characters). */
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});

export const ListQuery = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
  perPage: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
});

const nullableTime = Type.Union([IsoDateTime, Type.Null()]);

export const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String({ description: 'Shown to recognise a key: `dk_<prefix>_…`' }),
  scopes: Type.Array(Type.String()),
  createdAt: IsoDateTime,
  lastUsedAt: nullableTime,
  expiresAt: nullableTime,
  revokedAt: nullableTime,
});

export const IssuedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'The full key; shown only in this response' }),
});

export const ApiKeyPage = OffsetPage(ApiKey);
