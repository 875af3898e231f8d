/** `patients` → /v1/patients (page/perPage/total, sort, q and blocked filters, block/unblock). */
import type { components, paths } from '@diabetify/contracts/openapi';
import type { Session } from '../api/client';
import { unwrap } from '../api/problem';
import { changedFields, type ResourceHandlers, toSort } from './types';

type ListQuery = NonNullable<paths['/v1/patients']['get']['parameters']['query']>;
type PatientSort = NonNullable<ListQuery['sort']>;
export type CreatePatientBody = NonNullable<paths['/v1/patients']['post']['requestBody']>['content']['application/json'];
export type UpdatePatientBody = NonNullable<
  paths['/v1/patients/{id}']['patch']['requestBody']
>['content']['application/json'];
export type Patient = paths['/v1/patients/{id}']['get']['responses'][200]['content']['application/json'];
export type { components };

export const PATIENT_SORTS: readonly PatientSort[] = [
  'surname',
  '-surname',
  'name',
  '-name',
  'dni',
  '-dni',
  'email',
  '-email',
  'createdAt',
  '-createdAt',
  'id',
  '-id',
];

export const API_MAX_PER_PAGE = 100;

/** Fields staff may send on PATCH (the API answers 400 for anything else). */
export const EDITABLE: readonly (keyof UpdatePatientBody & string)[] = [
  'dni',
  'email',
  'name',
  'surname',
  'hospitalAccount',
  'birthDate',
  'diabetesType',
  'glucoseUnit',
  'targetLowMgDl',
  'targetHighMgDl',
  'timezone',
  'tidepoolId',
];

/** Optional create fields that the API refuses as empty strings. */
const CREATE_OPTIONAL = ['hospitalAccount', 'birthDate', 'diabetesType', 'tidepoolId', 'password'] as const;

export function listQuery(params: {
  pagination?: { page: number; perPage: number };
  sort?: { field: string; order: string };
  filter?: Record<string, unknown>;
}): ListQuery {
  const query: ListQuery = {
    page: params.pagination?.page ?? 1,
    perPage: Math.min(API_MAX_PER_PAGE, params.pagination?.perPage ?? 20),
    sort: toSort(params.sort as never, PATIENT_SORTS, 'surname'),
  };
  const q = params.filter?.q;
  if (typeof q === 'string' && q.trim() !== '') query.q = q.trim().slice(0, 100);
  const blocked = params.filter?.blocked;
  if (blocked === true || blocked === 'true') query.blocked = true;
  if (blocked === false || blocked === 'false') query.blocked = false;
  return query;
}

export function patientsHandlers(session: Session): ResourceHandlers {
  const { client } = session;
  return {
    async getList(params) {
      const perPage = params.pagination?.perPage ?? 20;
      if (perPage <= API_MAX_PER_PAGE) {
        const page = unwrap(await client.GET('/v1/patients', { params: { query: listQuery(params) } }));
        return { data: page.data, total: page.total };
      }
      // The CSV export asks for up to 1,000 rows at once; the API pages by 100: walk those pages in
      // order (one request per API page) until the wanted rows or the total are reached.
      const first = ((params.pagination?.page ?? 1) - 1) * perPage;
      const skip = first % API_MAX_PER_PAGE;
      const rows: Patient[] = [];
      let total = 0;
      for (let apiPage = Math.floor(first / API_MAX_PER_PAGE) + 1; rows.length < skip + perPage; apiPage++) {
        const query = listQuery({ ...params, pagination: { page: apiPage, perPage: API_MAX_PER_PAGE } });
        const page = unwrap(await client.GET('/v1/patients', { params: { query } }));
        total = page.total;
        rows.push(...page.data);
        if (page.data.length < API_MAX_PER_PAGE || apiPage * API_MAX_PER_PAGE >= total) break;
      }
      return { data: rows.slice(skip, skip + perPage), total };
    },
    async getOne({ id }) {
      return { data: unwrap(await client.GET('/v1/patients/{id}', { params: { path: { id: Number(id) } } })) };
    },
    async create({ data }) {
      const body = { ...data } as Record<string, unknown>;
      for (const key of CREATE_OPTIONAL) if (body[key] === '' || body[key] == null) delete body[key];
      const created = unwrap(await client.POST('/v1/patients', { body: body as CreatePatientBody }));
      return { data: created };
    },
    async update({ id, data, previousData }) {
      const body = changedFields<UpdatePatientBody>(data, previousData, EDITABLE);
      // Names, DNI and e-mail cannot be null: a cleared required field is the form's job to refuse.
      if (Object.keys(body).length === 0) return { data: previousData as Patient };
      const updated = unwrap(
        await client.PATCH('/v1/patients/{id}', { params: { path: { id: Number(id) } }, body: body as UpdatePatientBody }),
      );
      return { data: updated };
    },
    async block({ id, blocked }) {
      const path = { id: Number(id) };
      const result = blocked
        ? await client.POST('/v1/patients/{id}/block', { params: { path } })
        : await client.POST('/v1/patients/{id}/unblock', { params: { path } });
      return { data: unwrap(result) };
    },
  };
}
