/** Route-schema helpers shared by modules. */
import { Problem } from '@diabetify/contracts';
import type { TSchema } from 'typebox';

const DEFAULT_PROBLEMS = [400, 401, 403, 429, 500, 503] as const;

/**
 * Success responses plus the problem responses a route can produce. Every route declares every
 * status it can answer with (architecture rule 2): response schemas are what keep undeclared
 * fields from leaking.
 */
export function responses<T extends Record<number, TSchema>>(
  success: T,
  extra: readonly number[] = [],
): T & Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const status of [...DEFAULT_PROBLEMS, ...extra]) out[status] ??= Problem;
  return out as T & Record<number, TSchema>;
}
