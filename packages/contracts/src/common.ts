import { type Static, type TSchema, Type } from 'typebox';

/** RFC 9457 problem details, as every non-2xx `/v1` response is rendered. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable snake_case error code; switch on this, not on detail.' }),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Field path → message, for validation errors.' }),
    ),
  },
  { title: 'Problem' },
);
export type Problem = Static<typeof Problem>;

/** Keyset page: `nextCursor` is opaque and null on the last page. */
export const KeysetPage = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** Offset page for back-office tables that need a total. */
export const OffsetPage = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), total: Type.Integer({ minimum: 0 }) });

export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const IsoDateTime = Type.String({ format: 'date-time' });
export const Cursor = Type.String({ minLength: 1, maxLength: 512 });
