/**
 * One renderer for every error (architecture rule 3): RFC 9457 `application/problem+json` with a
 * stable `code`, the `requestId`, and `errors` (field → message) for validation failures.
 * 5xx bodies never carry the message or a stack; the full error goes to the log with the request id.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDependencyDown } from '../lib/dependency-down.js';
import { AppError } from '../lib/errors.js';
import { validationFieldErrors } from '../lib/validation.js';

export const PROBLEM_TYPE_BASE = 'https://diabetify.dev/problems/';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId: string;
  errors?: Record<string, string>;
}

function fieldErrors(error: FastifyError): Record<string, string> {
  return validationFieldErrors(error.validation ?? [], error.validationContext ?? 'body');
}

export function problem(
  request: FastifyRequest,
  status: number,
  code: string,
  title: string,
  detail?: string,
  errors?: Record<string, string>,
): ProblemBody {
  const body: ProblemBody = {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title,
    status,
    code,
    requestId: request.id,
    instance: request.url.split('?')[0],
  };
  if (detail) body.detail = detail;
  if (errors) body.errors = errors;
  return body;
}

function sendProblem(reply: FastifyReply, body: ProblemBody, headers?: Record<string, string>) {
  if (headers) reply.headers(headers);
  return reply.status(body.status).type('application/problem+json').send(body);
}

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Unsupported media type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'Bad request'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'Payload too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json', 'Malformed JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json', 'Malformed JSON'],
  FST_ERR_CTP_INVALID_TYPE: [400, 'bad_request', 'Bad request'],
};

export function renderError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return sendProblem(
      reply,
      problem(request, error.status, error.code, error.title, error.message, error.errors),
      error.headers,
    );
  }
  if (error.validation) {
    return sendProblem(
      reply,
      problem(
        request,
        400,
        'validation_failed',
        'Invalid request',
        'The request has invalid fields.',
        fieldErrors(error),
      ),
    );
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return sendProblem(reply, problem(request, known[0], known[1], known[2], known[2]));
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return sendProblem(reply, problem(request, 400, 'malformed_json', 'Malformed JSON', 'The body is not valid JSON.'));
  }
  if (error.statusCode === 429) {
    return sendProblem(
      reply,
      problem(request, 429, 'rate_limited', 'Too many requests', 'Slow down and retry after the indicated time.'),
    );
  }
  if (isDependencyDown(error)) {
    request.log.warn({ err: error }, 'dependency unavailable');
    return sendProblem(
      reply,
      problem(
        request,
        503,
        'service_unavailable',
        'Service unavailable',
        'A dependency is unavailable; retry shortly.',
      ),
      { 'retry-after': '1' },
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return sendProblem(
      reply,
      problem(request, status, 'bad_request', 'Bad request', 'The request could not be processed.'),
    );
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(
    reply,
    problem(
      request,
      500,
      'internal_error',
      'Internal server error',
      'Something went wrong; the error was logged with this request id.',
    ),
  );
}

export default fp(
  async function problemDetails(app: FastifyInstance) {
    app.setErrorHandler(renderError);
    // Unknown URLs count against the rate limit like any other request (RL-1).
    const preHandler = app.hasDecorator('rateLimit') ? app.rateLimit() : undefined;
    app.setNotFoundHandler(preHandler ? { preHandler } : {}, (request, reply) =>
      sendProblem(
        reply,
        problem(request, 404, 'not_found', 'Not found', `No route ${request.method} ${request.url.split('?')[0]}.`),
      ),
    );
  },
  { name: 'problem-details' },
);
