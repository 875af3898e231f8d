/** The per-resource half of the data provider (see src/dataProvider.ts). */
import type {
  CreateParams,
  CreateResult,
  DeleteParams,
  DeleteResult,
  GetListParams,
  GetListResult,
  GetManyParams,
  GetManyReferenceParams,
  GetManyReferenceResult,
  GetManyResult,
  GetOneParams,
  GetOneResult,
  RaRecord,
  UpdateParams,
  UpdateResult,
} from 'react-admin';

// biome-ignore lint/suspicious/noExplicitAny: react-admin's own signatures take any record shape
type AnyRecord = any;

export interface ResourceHandlers {
  getList?(params: GetListParams): Promise<GetListResult<AnyRecord>>;
  getOne?(params: GetOneParams): Promise<GetOneResult<AnyRecord>>;
  getMany?(params: GetManyParams): Promise<GetManyResult<AnyRecord>>;
  getManyReference?(params: GetManyReferenceParams): Promise<GetManyReferenceResult<AnyRecord>>;
  create?(params: CreateParams): Promise<CreateResult<AnyRecord>>;
  update?(params: UpdateParams): Promise<UpdateResult<AnyRecord>>;
  delete?(params: DeleteParams): Promise<DeleteResult<AnyRecord>>;
  block?(params: { id: RaRecord['id']; blocked: boolean }): Promise<{ data: RaRecord }>;
}

/** react-admin's sort → the API's `sort` (`field` or `-field`), when the API offers that field. */
export function toSort<S extends string>(
  sort: GetListParams['sort'] | undefined,
  allowed: readonly S[],
  fallback: S,
): S {
  if (!sort?.field) return fallback;
  const wanted = `${sort.order === 'DESC' ? '-' : ''}${sort.field}`;
  return (allowed as readonly string[]).includes(wanted) ? (wanted as S) : fallback;
}

/** Only the fields that changed, for PATCH routes that refuse read-only fields (id, timestamps…). */
export function changedFields<T extends Record<string, unknown>>(
  data: Partial<T>,
  previous: Partial<T> | undefined,
  editable: readonly (keyof T & string)[],
): Partial<T> {
  const out: Partial<T> = {};
  for (const key of editable) {
    if (!(key in data)) continue;
    const next = data[key];
    if (previous && Object.is(previous[key], next)) continue;
    // Cleared optional text inputs arrive as '' or undefined: the API spells "no value" null.
    out[key] = (next === '' || next === undefined ? null : next) as T[keyof T & string];
  }
  return out;
}
