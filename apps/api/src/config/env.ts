/**
 * The whole environment as one TypeBox schema, composed from the sections' variables, and the
 * per-variable problem list. Each section owns its variables; this file only puts them together.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { clinicEnv } from './clinic.js';
import { identityEnv } from './identity.js';
import { queueEnv } from './queue.js';
import { serverEnv } from './server.js';
import { storageEnv } from './storage.js';

export const EnvSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  ...serverEnv,
  ...storageEnv,
  ...identityEnv,
  ...clinicEnv,
  ...queueEnv,
});
export type Env = Static<typeof EnvSchema>;

/**
 * One line per invalid variable; a union of literals names the allowed values. Each variable is
 * checked on its own: TypeBox stops collecting errors after a few (a failed union alone yields one
 * per member), which would silently hide the remaining invalid variables.
 */
export function schemaProblems(env: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(EnvSchema.properties) as [string, TSchema][]) {
    const value = env[key];
    if (value === undefined || Value.Check(schema, value)) continue;
    const options = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
    const allowed = options?.every((o) => o.const !== undefined) ? options.map((o) => String(o.const)) : undefined;
    const message = allowed ? `must be one of ${allowed.join(', ')}` : Value.Errors(schema, value)[0]?.message;
    problems.push(`${key}: ${message ?? 'is invalid'}`);
  }
  return problems;
}

/**
 * The raw variables with defaults applied and strings converted. Empty strings are treated as
 * unset so `.env` files can leave a line blank.
 */
export function readEnv(source: Record<string, string | undefined>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const v = source[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  return Value.Default(EnvSchema, Value.Convert(EnvSchema, raw)) as Record<string, unknown>;
}

export function isValidEnv(env: Record<string, unknown>): boolean {
  return Value.Check(EnvSchema, env);
}
