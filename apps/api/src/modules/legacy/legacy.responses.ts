/**
 * FastAPI error bodies for the legacy OpenAPI documents, and the mapping of domain refusals onto
 * the answers the old back-office and scripts understand (used by the back-office route files).
 */
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../lib/errors.js';
import { DuplicateError } from '../patients/patients.errors.js';
import { type FastApiIssue, LegacyError, LegacyValidationError } from './legacy.errors.js';

export const Detail = Type.Object({ detail: Type.String() }, { title: 'HTTPError' });
export const ValidationDetail = Type.Object(
  {
    detail: Type.Array(
      Type.Object({
        loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
        msg: Type.String(),
        type: Type.String(),
      }),
    ),
  },
  { title: 'HTTPValidationError' },
);

/** The FastAPI error bodies of these statuses: 422 is the validation list, the rest `{"detail": …}`. */
export function legacyErrors(...codes: number[]): Record<number, typeof Detail | typeof ValidationDetail> {
  return Object.fromEntries(codes.map((c) => [c, c === 422 ? ValidationDetail : Detail]));
}

const LABELS: Record<string, string> = {
  dni: 'DNI',
  email: 'email',
  hospitalAccount: 'hospital account',
  username: 'username',
};

export interface Mapping {
  /** `detail` of a 404. */
  notFound: string;
  /** Who a duplicate is about: "User", "Admin". */
  resource?: string;
  /** Where field errors point (`body`, `query`) and domain field names → wire names. */
  where?: 'body' | 'query';
  names?: Record<string, string>;
}

/**
 * Domain refusals → legacy answers: a duplicate is 400 "… already exists" (the scripts treat that
 * text as "already there"), field errors are FastAPI's 422 list, a missing record is 404 with the
 * old text. Anything else goes on to the listener's renderer.
 */
export function rethrowLegacy(err: unknown, m: Mapping): never {
  if (err instanceof DuplicateError) {
    const label = LABELS[err.field] ?? m.names?.[err.field] ?? err.field;
    throw new LegacyError(400, `${m.resource ?? 'User'} with this ${label} already exists`);
  }
  if (err instanceof AppError && err.code === 'validation_failed') {
    const issues: FastApiIssue[] = Object.entries(err.errors ?? {}).map(([key, problem]) => {
      const field = key.replace(/^(body|query)\./, '');
      const name = m.names?.[field] ?? field;
      return { loc: [m.where ?? 'body', name], msg: `${name} ${problem}`, type: 'value_error' };
    });
    throw new LegacyValidationError(
      issues.length > 0 ? issues : [{ loc: [m.where ?? 'body'], msg: err.message, type: 'value_error' }],
    );
  }
  if (err instanceof AppError && err.code === 'not_found') throw new LegacyError(404, m.notFound);
  throw err;
}

/**
 * A bare JSON string body (`"Mail should be received anytime"`, quotes included), as FastAPI sent
 * it. Fastify would send a returned string as raw text/plain.
 */
export function sendJsonString(reply: FastifyReply, text: string) {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(text));
}

/** Runs `work`, translating its domain refusals with `m`. */
export async function legacyCall<T>(m: Mapping, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    rethrowLegacy(err, m);
  }
}
