import { type Static, Type } from 'typebox';
import { Cursor, Id, IsoDateTime } from './common.js';

export const ActorRole = Type.Union([
  Type.Literal('patient'),
  Type.Literal('clinician'),
  Type.Literal('assistant'),
  Type.Literal('admin'),
  Type.Literal('device'),
  Type.Literal('system'),
  Type.Literal('anonymous'),
]);
// Spelled out (not mapped from a string array) so the static type is the four literals, not `never`.
export const AuditOutcome = Type.Union([
  Type.Literal('success'),
  Type.Literal('denied'),
  Type.Literal('failure'),
  Type.Literal('error'),
]);

export const AuditEvent = Type.Object(
  {
    id: Id,
    createdAt: IsoDateTime,
    actor: Type.Object({ id: Type.Union([Id, Type.Null()]), role: Type.String() }),
    action: Type.String({ description: '`resource.verb`, e.g. `readings.read`' }),
    resourceType: Type.String(),
    resourceId: Type.Union([Type.String(), Type.Null()]),
    patientId: Type.Union([Id, Type.Null()]),
    outcome: AuditOutcome,
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
    chain: Type.Object({ shard: Type.Integer(), seq: Type.Integer(), hash: Type.String() }),
  },
  { title: 'AuditEvent' },
);
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditQuery = Type.Object(
  {
    actorId: Type.Optional(Id),
    actorRole: Type.Optional(ActorRole),
    patientId: Type.Optional(Id),
    action: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z0-9_.]+$' })),
    resourceType: Type.Optional(Type.String({ maxLength: 50 })),
    outcome: Type.Optional(AuditOutcome),
    from: Type.Optional(IsoDateTime),
    to: Type.Optional(IsoDateTime),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditVerification = Type.Object(
  {
    ok: Type.Boolean(),
    checkedRows: Type.Integer(),
    shards: Type.Integer(),
    firstBroken: Type.Union([
      Type.Object({
        id: Type.Union([Id, Type.Null()]),
        chainShard: Type.Integer(),
        chainSeq: Type.Integer(),
        reason: Type.String(),
      }),
      Type.Null(),
    ]),
    verifiedAt: IsoDateTime,
  },
  { title: 'AuditVerification' },
);
export type AuditVerification = Static<typeof AuditVerification>;
