/**
 * react-admin's data provider: each resource maps its calls onto the typed /v1 client in its own
 * module under src/data/ (one request per list page, never one per row). To add a resource, write
 * `src/data/<name>.ts` exporting a `ResourceHandlers` and register it in `RESOURCES` below.
 */
import type {
  CreateParams,
  DataProvider,
  DeleteParams,
  GetListParams,
  GetManyParams,
  GetManyReferenceParams,
  GetOneParams,
  RaRecord,
  UpdateParams,
} from 'react-admin';
import { session as defaultSession, type Session } from './api/client';
import { patientsHandlers } from './data/patients';
import type { ResourceHandlers } from './data/types';
import { staffHandlers } from './resources/staff/data';

export type { ResourceHandlers } from './data/types';

export const RESOURCES: Record<string, (session: Session) => ResourceHandlers> = {
  patients: patientsHandlers,
  staff: staffHandlers,
};

function notSupported(resource: string, method: string): never {
  throw new Error(`dfy.errors.not_supported: ${method} ${resource}`);
}

/** Extra calls the screens make through `useDataProvider()` (e.g. `dataProvider.block('patients', …)`). */
export interface DiabetifyDataProvider extends DataProvider {
  block(resource: string, params: { id: RaRecord['id']; blocked: boolean }): Promise<{ data: RaRecord }>;
}

export function createDataProvider(
  session: Session = defaultSession,
  resources: Record<string, (s: Session) => ResourceHandlers> = RESOURCES,
): DiabetifyDataProvider {
  const cache = new Map<string, ResourceHandlers>();
  const handlers = (resource: string): ResourceHandlers => {
    let h = cache.get(resource);
    if (!h) {
      const factory = resources[resource];
      if (!factory) throw new Error(`dfy.errors.unknown_resource: ${resource}`);
      h = factory(session);
      cache.set(resource, h);
    }
    return h;
  };

  return {
    getList: (resource, params: GetListParams) => {
      const h = handlers(resource);
      return h.getList ? h.getList(params) : notSupported(resource, 'getList');
    },
    getOne: (resource, params: GetOneParams) => {
      const h = handlers(resource);
      return h.getOne ? h.getOne(params) : notSupported(resource, 'getOne');
    },
    async getMany(resource, params: GetManyParams) {
      const h = handlers(resource);
      if (h.getMany) return h.getMany(params);
      // No bulk route: fetch the distinct ids in parallel (references on one page, not per row render).
      if (!h.getOne) return notSupported(resource, 'getMany');
      const getOne = h.getOne;
      const ids = [...new Set(params.ids)];
      const rows = await Promise.all(ids.map((id) => getOne({ id }).then((r) => r.data)));
      return { data: rows };
    },
    getManyReference: (resource, params: GetManyReferenceParams) => {
      const h = handlers(resource);
      return h.getManyReference ? h.getManyReference(params) : notSupported(resource, 'getManyReference');
    },
    create: (resource, params: CreateParams) => {
      const h = handlers(resource);
      return h.create ? h.create(params) : notSupported(resource, 'create');
    },
    update: (resource, params: UpdateParams) => {
      const h = handlers(resource);
      return h.update ? h.update(params) : notSupported(resource, 'update');
    },
    async updateMany(resource, params) {
      const h = handlers(resource);
      if (!h.update) return notSupported(resource, 'updateMany');
      const update = h.update;
      await Promise.all(params.ids.map((id) => update({ id, data: params.data, previousData: { id } })));
      return { data: params.ids };
    },
    delete: (resource, params: DeleteParams) => {
      const h = handlers(resource);
      return h.delete ? h.delete(params) : notSupported(resource, 'delete');
    },
    async deleteMany(resource, params) {
      const h = handlers(resource);
      if (!h.delete) return notSupported(resource, 'deleteMany');
      const del = h.delete;
      await Promise.all(params.ids.map((id) => del({ id })));
      return { data: params.ids };
    },
    block(resource, params) {
      const h = handlers(resource);
      return h.block ? h.block(params) : notSupported(resource, 'block');
    },
  } as DiabetifyDataProvider;
}

export const dataProvider = createDataProvider();
