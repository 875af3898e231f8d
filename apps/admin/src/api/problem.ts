/**
 * RFC 9457 problem responses → react-admin errors, in the user's language.
 *
 * The server's `detail` and its per-field messages are English; showing them on a Spanish screen
 * would mix languages, so the UI shows a translation chosen by the stable `code` (and, for fields,
 * by the kind of validation failure), and keeps the server's text only as a last resort fallback.
 */
import { HttpError } from 'react-admin';

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: Record<string, string>;
}

/** Problem codes with their own message (`dfy.errors.<code>` in both languages). */
export const KNOWN_CODES = [
  'invalid_credentials',
  'login_locked',
  'account_blocked',
  'rate_limited',
  'duplicate',
  'mfa_enrollment_required',
  'invalid_token',
  'invalid_mfa_code',
  'invalid_current_password',
  'not_found',
  'forbidden',
  'unauthorized',
  'validation_failed',
  'conflict',
] as const;

/** Maps one server field message (Ajv wording or ours) to a translation key. */
export function fieldMessageKey(message: string): string {
  if (/already in use/i.test(message)) return 'dfy.validation.taken';
  if (/at least \d+ characters/i.test(message)) return 'dfy.validation.password_short';
  if (/most common passwords/i.test(message)) return 'dfy.validation.password_common';
  if (/must not contain your/i.test(message)) return 'dfy.validation.password_personal';
  if (/IANA time zone/i.test(message)) return 'dfy.validation.timezone';
  if (/in the future|after 1900/i.test(message)) return 'dfy.validation.birth_date';
  if (/must be below target/i.test(message)) return 'dfy.validation.target_order';
  if (/format "?email/i.test(message)) return 'dfy.validation.email';
  if (/format "?date/i.test(message)) return 'dfy.validation.date';
  if (/required|fewer than 1 character/i.test(message)) return 'dfy.validation.required';
  if (/not an allowed field/i.test(message)) return 'dfy.validation.not_allowed';
  if (/must be (<|>)=?|must NOT have more|must NOT have fewer/i.test(message)) return 'dfy.validation.range';
  if (/pattern|format/i.test(message)) return 'dfy.validation.format';
  return 'dfy.validation.invalid';
}

/** `body.email` → `email`, `querystring.q` → `q`: form inputs are named by the plain field. */
export function fieldErrors(problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(problem.errors ?? {})) {
    const field = key.replace(/^(body|querystring|params|headers)\./, '');
    out[field] = fieldMessageKey(message);
  }
  return out;
}

/** The translation key for a whole problem (the notification text). */
export function problemMessageKey(problem: Problem, status: number): string {
  const code = problem.code ?? '';
  if ((KNOWN_CODES as readonly string[]).includes(code)) return `dfy.errors.${code}`;
  if (status === 429) return 'dfy.errors.rate_limited';
  if (status === 423) return 'dfy.errors.login_locked';
  if (status === 400 || status === 422) return 'dfy.errors.validation_failed';
  if (status === 401) return 'dfy.errors.unauthorized';
  if (status === 403) return 'dfy.errors.forbidden';
  if (status === 404) return 'dfy.errors.not_found';
  if (status === 409) return 'dfy.errors.conflict';
  return 'dfy.errors.server';
}

/** Builds the error react-admin understands: `body.errors` highlights the named form fields. */
export function toHttpError(error: unknown, response: Response): HttpError {
  const problem: Problem = error && typeof error === 'object' ? (error as Problem) : {};
  const status = response.status;
  const errors = fieldErrors(problem);
  const retryAfter = Number(response.headers.get('retry-after') ?? '');
  return new HttpError(problemMessageKey(problem, status), status, {
    ...problem,
    errors,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}),
  });
}

/** Unwraps an openapi-fetch result: the data, or a thrown HttpError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw toHttpError(result.error, result.response);
  return result.data as T;
}
