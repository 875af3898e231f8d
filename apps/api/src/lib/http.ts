/** Route-schema helpers shared by modules. */
import { Problem } from '@diabetify/contracts';
import { type TSchema, Type } from 'typebox';

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

/**
 * The one client error of a route that takes no input (probes, metrics, the JWKS): a malformed URL
 * (`/metrics%`), refused by Fastify's router before any route or error handler runs, hence its own
 * body shape rather than a problem document.
 */
export const MALFORMED_URL = {
  400: Type.Object(
    { statusCode: Type.Literal(400), code: Type.String(), error: Type.String(), message: Type.String() },
    { description: 'Malformed URL, refused by the router (not a problem document)' },
  ),
};
