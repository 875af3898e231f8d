/**
 * The `page`/`perPage` query of every offset-paged back-office list, so the bounds (and the default
 * page size the tables rely on) are stated once. Spread into a list's query object.
 */
import { Type } from 'typebox';

export const offsetPageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};
