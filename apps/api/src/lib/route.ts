/**
 * One way to declare a route: method, url, operationId, summary, tags, auth policy, input schemas,
 * success and error responses and the handler, in one object.
 *
 *   route(app, {
 *     method: 'POST', url: '/v1/patients/:id/notes', operationId: 'createNote',
 *     summary: 'Write a clinical note', tags, auth: CLINICIAN_WRITE,
 *     params: PatientParams, body: NoteBody,
 *     success: { 201: Note }, errors: [404],
 *     handler: (request) => service.create(actorOf(request), auditOrigin(request), request.params.id, request.body),
 *   });
 *
 * - `request.params`, `.query`, `.body` and `.headers` are typed from the TypeBox schemas, and the
 *   handler's result is checked against the success schemas.
 * - The reply status defaults to the lowest success status (201 above) and is set before the handler
 *   runs, so a handler that answers otherwise (an idempotent replay's 200) still sets its own.
 * - `errors` is a list of problem statuses beyond the defaults of `responses()` (lib/http.ts), or,
 *   for the legacy listeners, the full map of error schemas (FastAPI bodies, no defaults added).
 * - `operationId` is required, camelCase and unique per app: generated clients use it as the method
 *   name, so renaming one is a breaking change for them.
 *
 * It lives in lib/ rather than plugins/: it registers nothing app-wide, it is only a typed way of
 * calling `app.route`, and routes of every module (and the legacy listeners) import it.
 */
import type {
  FastifyContextConfig,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HTTPMethods,
  onRequestHookHandler,
  preValidationHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import type { Static, TSchema } from 'typebox';
import { responses } from './http.js';

/** The value a schema describes, or `unknown` when the route declares none. */
type Input<T> = T extends TSchema ? Static<T> : unknown;

export type RouteRequest<P, Q, B, H> = FastifyRequest<{
  Params: Input<P>;
  Querystring: Input<Q>;
  Body: Input<B>;
  Headers: Input<H>;
}>;

/** Extra problem statuses (`responses()` adds the defaults), or a complete map of error schemas. */
export type ErrorSpec = readonly number[] | Record<number, TSchema>;

type Success<S extends Record<number, TSchema>> = { [K in keyof S]: Input<S[K]> }[keyof S];

export interface RouteSpec<P, Q, B, H, S extends Record<number, TSchema>> {
  method: HTTPMethods;
  url: string;
  /** camelCase verb + noun (`listPatientReadings`); unique per app. */
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  auth: NonNullable<FastifyContextConfig['auth']>;
  /** Route config beyond the auth policy (`rateLimit`, `allowWithoutMfa`). */
  config?: Omit<FastifyContextConfig, 'auth'>;
  params?: P;
  querystring?: Q;
  body?: B;
  headers?: H;
  success: S;
  /** Default reply status; the lowest success status when omitted. */
  status?: keyof S & number;
  /** Extra problem statuses (added to the defaults), or a complete map of error schemas. */
  errors?: ErrorSpec;
  bodyLimit?: number;
  /** `false` where a HEAD would do all of a GET's work only to drop the body (exports). */
  exposeHeadRoute?: boolean;
  onRequest?: onRequestHookHandler;
  preValidation?: preValidationHookHandler;
  handler: (
    request: RouteRequest<P, Q, B, H>,
    reply: FastifyReply,
  ) => Promise<Success<S> | FastifyReply | undefined> | Success<S> | FastifyReply;
}

const OPERATION_ID = /^[a-z][a-zA-Z0-9]*$/;
/** operationIds taken, per server (one app may register its routes in many encapsulated contexts). */
const taken = new WeakMap<object, Set<string>>();

function claimOperationId(app: FastifyInstance, id: string, where: string): void {
  if (!OPERATION_ID.test(id)) throw new Error(`route ${where}: operationId '${id}' is not camelCase`);
  const ids = taken.get(app.server) ?? new Set<string>();
  taken.set(app.server, ids);
  if (ids.has(id)) throw new Error(`route ${where}: operationId '${id}' is already used`);
  ids.add(id);
}

function isStatusList(errors: ErrorSpec | undefined): errors is readonly number[] | undefined {
  return errors === undefined || Array.isArray(errors);
}

/** Registers one route described by `spec` (see the file comment). */
export function route<
  P extends TSchema | undefined = undefined,
  Q extends TSchema | undefined = undefined,
  B extends TSchema | undefined = undefined,
  H extends TSchema | undefined = undefined,
  S extends Record<number, TSchema> = Record<number, TSchema>,
>(app: FastifyInstance, spec: RouteSpec<P, Q, B, H, S>): void {
  const { method, url, operationId, handler } = spec;
  claimOperationId(app, operationId, `${method} ${url}`);
  const status = spec.status ?? Math.min(...Object.keys(spec.success).map(Number));
  const response = isStatusList(spec.errors)
    ? responses(spec.success, spec.errors ?? [])
    : { ...spec.success, ...spec.errors };
  const run: RouteHandlerMethod = async (request, reply) => {
    if (status !== 200) reply.code(status);
    return handler(request as RouteRequest<P, Q, B, H>, reply);
  };
  app.route({
    method,
    url,
    config: { ...spec.config, auth: spec.auth },
    schema: {
      operationId,
      summary: spec.summary,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      tags: [...spec.tags],
      ...(spec.params === undefined ? {} : { params: spec.params }),
      ...(spec.querystring === undefined ? {} : { querystring: spec.querystring }),
      ...(spec.body === undefined ? {} : { body: spec.body }),
      ...(spec.headers === undefined ? {} : { headers: spec.headers }),
      response,
    },
    ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
    ...(spec.exposeHeadRoute === undefined ? {} : { exposeHeadRoute: spec.exposeHeadRoute }),
    ...(spec.onRequest ? { onRequest: spec.onRequest } : {}),
    ...(spec.preValidation ? { preValidation: spec.preValidation } : {}),
    handler: run,
  });
}
