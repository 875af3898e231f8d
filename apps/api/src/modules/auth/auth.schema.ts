import { Type } from 'typebox';

export const REFRESH_COOKIE = '__Host-diabetify_rt';

export const Identifier = Type.String({ minLength: 1, maxLength: 254 });
/** Bounded at login only for size; the policy (8/12…128) applies when a password is set. */
export const LoginPassword = Type.String({ minLength: 1, maxLength: 1024 });

export const LoginBody = Type.Object({
  identifier: Identifier,
  password: LoginPassword,
  /** Browser clients: put the refresh token in an HttpOnly cookie instead of the body. */
  cookie: Type.Optional(Type.Boolean()),
});

export const User = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('patient'), Type.Literal('staff')]),
  name: Type.String(),
  surname: Type.Union([Type.String(), Type.Null()]),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  mfaEnabled: Type.Boolean(),
});

export const Tokens = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.Optional(Type.String({ description: 'Absent when delivered as a cookie' })),
  expiresIn: Type.Integer({ description: 'Access token lifetime in seconds' }),
  tokenType: Type.Literal('Bearer'),
  user: User,
});

export const MfaRequired = Type.Object({
  mfaRequired: Type.Literal(true),
  mfaToken: Type.String(),
  expiresIn: Type.Integer(),
});

export const RefreshBody = Type.Object({
  refreshToken: Type.Optional(Type.String({ minLength: 20, maxLength: 200 })),
  cookie: Type.Optional(Type.Boolean()),
});

export const Session = Type.Object({
  id: Type.String({ format: 'uuid' }),
  current: Type.Boolean(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const Revoked = Type.Object({ revoked: Type.Integer() });
