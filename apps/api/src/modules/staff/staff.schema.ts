/** Staff schemas. Usernames and e-mails are canonicalised (lower-case) before validation. */
import { OffsetPage } from '@diabetify/contracts';
import { type Static, Type } from 'typebox';
import { offsetPageQuery } from '../../lib/paging.js';
import type { RoutePolicy } from '../../lib/principal.js';
import { Email, NewPassword, PersonName } from '../patients/patients.schema.js';

export const USERNAME_PATTERN = '^[a-z0-9._-]{3,50}$';
export const Username = Type.String({
  pattern: USERNAME_PATTERN,
  description: '3–50 characters a-z 0-9 . _ -, stored lower-case',
});
export const StaffRole = Type.Union([Type.Literal('clinician'), Type.Literal('assistant'), Type.Literal('admin')]);
export const Roles = Type.Array(StaffRole, { minItems: 1, maxItems: 3, uniqueItems: true });

export const CreateStaffBody = Type.Object({
  username: Username,
  email: Email,
  name: PersonName,
  roles: Roles,
  password: Type.Optional(NewPassword),
});
export type CreateStaffBody = Static<typeof CreateStaffBody>;

/**
 * Admin edits. `blocked` lives here (no dedicated routes for staff): blocking, like any change of
 * roles, revokes every session of that person. The username is the sign-in name and stays fixed
 * (create a new account instead); `password` goes through the reset link.
 */
export const UpdateStaffBody = Type.Object(
  {
    email: Type.Optional(Email),
    name: Type.Optional(PersonName),
    roles: Type.Optional(Roles),
    blocked: Type.Optional(Type.Boolean()),
  },
  {
    minProperties: 1,
    description:
      'Blocking and any change of roles end every session of that person. The username is fixed. ' +
      'An admin cannot remove their own admin role nor block themselves (409 self_lockout).',
  },
);
export type UpdateStaffBody = Static<typeof UpdateStaffBody>;

/** What staff may change about themselves (`PATCH /v1/me`). */
export const StaffSelfBody = Type.Object({ name: PersonName });
export type StaffSelfBody = Static<typeof StaffSelfBody>;

export const StaffMember = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    name: Type.String(),
    roles: Type.Array(StaffRole),
    blocked: Type.Boolean(),
    mfaEnabled: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'StaffMember' },
);
export type StaffMember = Static<typeof StaffMember>;

export const StaffPage = OffsetPage(StaffMember);

export const STAFF_SORTS = ['username', '-username', 'name', '-name', 'createdAt', '-createdAt', 'id', '-id'] as const;
export type StaffSort = (typeof STAFF_SORTS)[number];

export const StaffListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Matches username, name or e-mail; empty = all' })),
  role: Type.Optional(StaffRole),
  blocked: Type.Optional(Type.Boolean()),
  ...offsetPageQuery,
  sort: Type.Optional(
    Type.Union(
      STAFF_SORTS.map((s) => Type.Literal(s)),
      { default: 'username' },
    ),
  ),
});
export type StaffListQuery = Static<typeof StaffListQuery>;

export const ADMIN_ONLY: RoutePolicy = { audience: 'backoffice', roles: ['admin'] };
