/**
 * FastAPI-shaped errors for the legacy listeners (legacy-compat.md A.0, E.4–E.6): `{"detail": "…"}`,
 * 422 `{"detail": [{loc, msg, type}]}` for validation, `{"detail": "Not Found"}` / 405 for unknown
 * paths and methods. The /v1 problem-details renderer is not used here: the old clients match on
 * `detail` text and would not understand RFC 9457 bodies.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDependencyDown } from '../../lib/dependency-down.js';
import { AppError } from '../../lib/errors.js';

/** A legacy answer with a `detail` text the old clients know (thrown by the adapters). */
export class LegacyError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'LegacyError';
  }
}

export interface FastApiIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** A 422 in FastAPI's list form, for checks the adapters make by hand (e.g. a value out of range). */
export class LegacyValidationError extends Error {
  constructor(readonly issues: FastApiIssue[]) {
    super('validation failed');
    this.name = 'LegacyValidationError';
  }
}

const LOCATION: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** Ajv errors → FastAPI issues (`loc` = where + field, `type` in Pydantic v1 words). */
export function fastApiIssues(error: FastifyError): FastApiIssue[] {
  const where = LOCATION[error.validationContext ?? 'body'] ?? 'body';
  return (error.validation ?? []).map((v) => {
    const params = v.params as { missingProperty?: string };
    const path = v.instancePath.split('/').filter(Boolean);
    if (params.missingProperty) path.push(params.missingProperty);
    const loc = [where, ...path.map((p) => (/^[0-9]+$/.test(p) ? Number(p) : p))];
    if (params.missingProperty) return { loc, msg: 'field required', type: 'value_error.missing' };
    if (v.keyword === 'type') return { loc, msg: `value is not a valid ${String(v.params.type)}`, type: `type_error` };
    if (v.keyword === 'enum' || v.keyword === 'const' || v.keyword === 'anyOf')
      return { loc, msg: 'value is not a valid enumeration member', type: 'type_error.enum' };
    return { loc, msg: v.message ?? 'invalid value', type: `value_error.${v.keyword}` };
  });
}

/** `exp` of a bearer JWT without verifying it: only to tell "expired" from "invalid" in the text. */
function bearerExpired(request: FastifyRequest, nowMs: number): boolean {
  const token = /^Bearer\s+([^.\s]+)\.([^.\s]+)\.[^.\s]+$/i.exec(String(request.headers.authorization ?? ''));
  if (!token?.[2]) return false;
  try {
    const payload = JSON.parse(Buffer.from(token[2], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && payload.exp * 1000 <= nowMs;
  } catch {
    return false;
  }
}

function send(reply: FastifyReply, status: number, detail: unknown, headers: Record<string, string> = {}) {
  reply.headers(headers);
  return reply.status(status).type('application/json').send({ detail });
}

const BEARER = { 'www-authenticate': 'Bearer' };

export function renderLegacyError(
  app: FastifyInstance,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof LegacyError) return send(reply, error.status, error.detail, error.headers);
  if (error instanceof LegacyValidationError) return send(reply, 422, error.issues);
  if (error.validation) return send(reply, 422, fastApiIssues(error));
  if (error instanceof AppError) {
    if (error.status === 401) {
      // FastAPI's OAuth2 scheme says "Not authenticated" for a missing header; the old gateway
      // said "Token Expired" for an expired token (A.2). Both are 401 with WWW-Authenticate.
      const missing = error.code === 'unauthorized';
      const detail = missing
        ? 'Not authenticated'
        : bearerExpired(request, app.clock.now().getTime())
          ? 'Token Expired'
          : 'Could not validate credentials';
      return send(reply, 401, detail, BEARER);
    }
    if (error.status === 503) return send(reply, 503, 'Service temporarily unavailable', error.headers);
    if (error.status === 429) return send(reply, 429, 'Too Many Requests', error.headers);
    return send(reply, error.status, error.message, error.headers);
  }
  const code = error.code ?? '';
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, 415, 'Unsupported Media Type');
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, 'Request Entity Too Large');
  if (error instanceof SyntaxError || code.startsWith('FST_ERR_CTP_')) {
    return send(reply, 422, [
      { loc: ['body', 0], msg: 'Expecting value: invalid JSON', type: 'value_error.jsondecode' },
    ]);
  }
  if (error.statusCode === 429) return send(reply, 429, 'Too Many Requests');
  if (isDependencyDown(error)) {
    request.log.error({ err: error }, 'dependency unavailable');
    return send(reply, 503, 'Service temporarily unavailable', { 'retry-after': '1' });
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return send(reply, error.statusCode, error.message);
  }
  request.log.error({ err: error }, 'unhandled error on a legacy listener');
  return send(reply, 500, 'Internal Server Error');
}

/** Route patterns → a matcher, so an unknown method on a known path answers 405 like FastAPI. */
export class MethodIndex {
  private readonly routes: { pattern: RegExp; method: string }[] = [];

  add(method: string, url: string) {
    const source = url
      .replace(/\/+$/, '')
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    this.routes.push({ pattern: new RegExp(`^${source}/?$`), method });
  }

  allowed(path: string): string[] {
    return [...new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  }
}

export function legacyNotFound(index: MethodIndex) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const allowed = index.allowed(request.url.split('?')[0] ?? '/');
    if (allowed.length > 0) return send(reply, 405, 'Method Not Allowed', { allow: allowed.join(', ') });
    return send(reply, 404, 'Not Found');
  };
}
