/** Schemas of the consultation queue: settings, requests, decisions, history; and the route policies. */
import { OffsetPage } from '@diabetify/contracts';
import { type Static, type TSchema, Type } from 'typebox';
import { MOTIVES, REQUEST_STATES } from '../../db/schema/consultations.js';
import { offsetPageQuery } from '../../lib/paging.js';
import type { RoutePolicy } from '../../lib/principal.js';

const STAFF = ['clinician', 'assistant', 'admin'] as const;
/** GET /v1/queue: any signed-in person (not device keys). */
export const SIGNED_IN: RoutePolicy = { audience: 'any' };
export const FRONT_DESK: RoutePolicy = { audience: 'backoffice', roles: ['assistant', 'admin'] };
export const ADMIN: RoutePolicy = { audience: 'backoffice', roles: ['admin'] };
export const DECIDERS: RoutePolicy = { audience: 'backoffice', roles: ['clinician', 'assistant'] };
export const CLINICIAN: RoutePolicy = { audience: 'backoffice', roles: ['clinician'] };
export const PATIENT: RoutePolicy = { audience: 'app', roles: ['patient'] };
export const STAFF_ANY: RoutePolicy = { audience: 'backoffice', roles: STAFF };
/** Staff, and a patient for their own records only (anyone else's is 404). */
export const STAFF_OR_OWNER: RoutePolicy = { audience: 'any', roles: ['patient', ...STAFF] };

/** Free text a person typed: no control characters except line breaks and tabs (LG-7). */
export const TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';
export const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });

export const Motive = Type.Enum(MOTIVES);
export const MotiveList = Type.Array(Motive, { maxItems: MOTIVES.length, uniqueItems: true });
export const OtherMotive = Type.String({ minLength: 1, maxLength: 200, pattern: TEXT });
export const RequestStateSchema = Type.Enum(REQUEST_STATES);
export const Reason = Type.String({ minLength: 1, maxLength: 500, pattern: TEXT });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

export const QueueStatus = Type.Object(
  {
    open: Type.Boolean(),
    capacity: Type.Integer({ description: 'Active requests (pending, accepted, created) admitted at once' }),
    active: Type.Integer(),
    pending: Type.Integer(),
    day: Type.Integer({ description: 'Queue day number; placements restart at 0 with each day' }),
    dayStartedAt: DateTime,
    schedule: Type.Object({
      configured: Type.Boolean({ description: 'QUEUE_SCHEDULE is set: boundaries open and close the queue' }),
      withinHours: Type.Union([Type.Boolean(), Type.Null()]),
      autoResetAt: Type.Union([Type.String(), Type.Null()], { description: 'HH:MM, clinic time' }),
      timezone: Type.String(),
    }),
  },
  { title: 'QueueStatus' },
);
export type QueueStatus = Static<typeof QueueStatus>;

export const QueuePatch = Type.Object(
  {
    open: Type.Optional(Type.Boolean()),
    capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  },
  { minProperties: 1 },
);
export type QueuePatch = Static<typeof QueuePatch>;

export const ResetResult = Type.Object({
  day: Type.Integer({ description: 'The new queue day' }),
  closed: Type.Integer({ description: 'Active requests closed' }),
  released: Type.Integer({ description: 'Denied or resolved requests released (patients may request again)' }),
});

export const SubmitBody = Type.Object({
  motive: Type.Optional(MotiveList),
  otherMotive: Type.Optional(OtherMotive),
  note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: TEXT })),
});
export type SubmitBody = Static<typeof SubmitBody>;

export const Submitted = Type.Object(
  {
    id: Type.Integer(),
    state: Type.Literal('pending'),
    placement: Type.Integer({ description: '0-based order of the queue day (stable)' }),
    position: Type.Integer({ description: 'Pending requests ahead of this one (live)' }),
  },
  { title: 'QueueSubmitted' },
);

export const MyQueue = Type.Object(
  {
    state: Type.Enum(['none', ...REQUEST_STATES]),
    position: Type.Union([Type.Integer(), Type.Null()], { description: 'Pending requests ahead; null unless pending' }),
    placement: Type.Union([Type.Integer(), Type.Null()]),
    requestId: Type.Union([Type.Integer(), Type.Null()]),
    appointmentId: Type.Union([Type.Integer(), Type.Null()]),
    queueOpen: Type.Boolean(),
  },
  { title: 'MyQueue' },
);
export type MyQueue = Static<typeof MyQueue>;

export const DecisionBody = Type.Object({
  reason: Type.Optional(Reason),
  expectedVersion: Type.Optional(
    Type.Integer({ minimum: 1, description: 'The version you looked at; 409 stale_transition if it moved since' }),
  ),
});
export type DecisionBody = Static<typeof DecisionBody>;

export const PatientRef = Type.Object({ id: Type.Integer(), name: Type.String(), surname: Type.String() });

export const QueueRequest = Type.Object(
  {
    id: Type.Integer(),
    patient: PatientRef,
    state: RequestStateSchema,
    day: Type.Integer(),
    placement: Type.Integer(),
    position: Type.Union([Type.Integer(), Type.Null()], { description: 'Pending requests ahead; null unless pending' }),
    current: Type.Boolean({ description: 'Not yet released by a cancel or a day reset' }),
    motive: Type.Array(Motive),
    otherMotive: nullable(Type.String()),
    note: nullable(Type.String()),
    version: Type.Integer(),
    decidedBy: nullable(Type.Integer()),
    decidedAt: nullable(DateTime),
    decisionReason: nullable(Type.String()),
    waitingSeconds: Type.Integer({ description: 'Submit to decision, or to now while pending' }),
    appointmentId: nullable(Type.Integer()),
    emergencyCare: Type.Boolean({ description: 'The latest resolution asks for emergency care' }),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { title: 'QueueRequest' },
);
export type QueueRequest = Static<typeof QueueRequest>;
export const QueueRequestPage = OffsetPage(QueueRequest);

export const RequestListQuery = Type.Object({
  state: Type.Optional(RequestStateSchema),
  day: Type.Optional(
    Type.Union([Type.Literal('current'), Type.Literal('all')], {
      default: 'current',
      description: 'current = the requests of the running queue day (default)',
    }),
  ),
  patientId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  ...offsetPageQuery,
});
export type RequestListQuery = Static<typeof RequestListQuery>;

export const TransitionItem = Type.Object({
  id: Type.Integer(),
  from: nullable(RequestStateSchema),
  to: RequestStateSchema,
  actorRole: Type.String(),
  actorId: nullable(Type.Integer()),
  reason: nullable(Type.String()),
  at: DateTime,
});
export const RequestHistory = Type.Object(
  { requestId: Type.Integer(), data: Type.Array(TransitionItem) },
  { title: 'QueueRequestHistory' },
);
export type RequestHistory = Static<typeof RequestHistory>;
