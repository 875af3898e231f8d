/**
 * The translation key for an error thrown by `unwrap`: problem codes of the staff/account routes
 * that the shared list does not name get their own message (`dfy.problems.<code>`); everything
 * else keeps the shared translation `unwrap` already chose.
 */
import type { HttpError } from 'react-admin';

export const OWN_CODES = [
  'self_lockout',
  'mfa_already_enabled',
  'mfa_setup_required',
  'mfa_setup_changed',
  'mfa_required_by_policy',
  'mfa_not_enabled',
] as const;

export function problemText(error: unknown): string {
  const code = (error as HttpError | undefined)?.body?.code;
  if (typeof code === 'string' && (OWN_CODES as readonly string[]).includes(code)) return `dfy.problems.${code}`;
  const message = (error as Error | undefined)?.message ?? '';
  return message.startsWith('dfy.') || message.startsWith('ra.') ? message : 'dfy.errors.server';
}

/** Field → translation key, from the problem's `errors` (already mapped by `unwrap`). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  const errors = (error as HttpError | undefined)?.body?.errors;
  return errors && typeof errors === 'object' ? (errors as Record<string, string>) : {};
}
