/** `staff` → /v1/staff (page/perPage/total, sort, q/role/blocked filters; block is a PATCH). */
import type { paths } from '@diabetify/contracts/openapi';
import type { Session } from '../../api/client';
import { unwrap } from '../../api/problem';
import { changedFields, type ResourceHandlers, toSort } from '../../data/types';

type ListQuery = NonNullable<paths['/v1/staff']['get']['parameters']['query']>;
type StaffSort = NonNullable<ListQuery['sort']>;
export type StaffMember = paths['/v1/staff/{id}']['get']['responses'][200]['content']['application/json'];
export type CreateStaffBody = NonNullable<paths['/v1/staff']['post']['requestBody']>['content']['application/json'];
export type UpdateStaffBody = NonNullable<
  paths['/v1/staff/{id}']['patch']['requestBody']
>['content']['application/json'];
export type StaffRoleName = StaffMember['roles'][number];

export const STAFF_ROLE_NAMES: readonly StaffRoleName[] = ['clinician', 'assistant', 'admin'];
const SORTS: readonly StaffSort[] = ['username', '-username', 'name', '-name', 'createdAt', '-createdAt', 'id', '-id'];
/** The API's PATCH takes only these; the username is fixed and the password goes by the reset link. */
const EDITABLE: readonly (keyof UpdateStaffBody & string)[] = ['email', 'name', 'roles'];

export function staffListQuery(params: {
  pagination?: { page: number; perPage: number };
  sort?: { field: string; order: string };
  filter?: Record<string, unknown>;
}): ListQuery {
  const query: ListQuery = {
    page: params.pagination?.page ?? 1,
    perPage: Math.min(100, params.pagination?.perPage ?? 25),
    sort: toSort(params.sort as never, SORTS, 'username'),
  };
  const { q, role, blocked } = params.filter ?? {};
  if (typeof q === 'string' && q.trim() !== '') query.q = q.trim().slice(0, 100);
  if (typeof role === 'string' && (STAFF_ROLE_NAMES as readonly string[]).includes(role))
    query.role = role as StaffRoleName;
  if (blocked === true || blocked === 'true') query.blocked = true;
  if (blocked === false || blocked === 'false') query.blocked = false;
  return query;
}

/** Same roles in any order count as unchanged (a PATCH of roles ends that person's sessions). */
function sameRoles(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return [...a].sort().join() === [...b].sort().join();
}

export function staffHandlers(session: Session): ResourceHandlers {
  const { client } = session;
  const patch = async (id: number, body: UpdateStaffBody) =>
    unwrap(await client.PATCH('/v1/staff/{id}', { params: { path: { id } }, body }));
  return {
    async getList(params) {
      const page = unwrap(await client.GET('/v1/staff', { params: { query: staffListQuery(params) } }));
      return { data: page.data, total: page.total };
    },
    async getOne({ id }) {
      return { data: unwrap(await client.GET('/v1/staff/{id}', { params: { path: { id: Number(id) } } })) };
    },
    async create({ data }) {
      const body: CreateStaffBody = {
        username: String(data.username ?? '').trim(),
        email: String(data.email ?? '').trim(),
        name: String(data.name ?? '').trim(),
        roles: data.roles ?? [],
      };
      // No password: the API e-mails an invitation link instead.
      if (typeof data.password === 'string' && data.password !== '') body.password = data.password;
      return { data: unwrap(await client.POST('/v1/staff', { body })) };
    },
    async update({ id, data, previousData }) {
      const body = changedFields<UpdateStaffBody>(data, previousData, EDITABLE);
      if (body.roles !== undefined && sameRoles(body.roles, previousData?.roles)) delete body.roles;
      // A cleared name or e-mail is the form's job to refuse; the API spells no value as absent here.
      for (const key of ['email', 'name'] as const) if (body[key] === null) delete body[key];
      if (Object.keys(body).length === 0) return { data: previousData as StaffMember };
      return { data: await patch(Number(id), body) };
    },
    async block({ id, blocked }) {
      return { data: await patch(Number(id), { blocked }) };
    },
  };
}
