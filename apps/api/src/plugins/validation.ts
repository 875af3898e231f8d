/**
 * Request validation (security.md IV-1, IV-5, IV-6, AZ-5).
 * - Bodies: no type coercion (`"1"` is not 1) and unknown fields are rejected, not stripped:
 *   every object in a `/v1` body or query schema gets `additionalProperties: false` unless it says
 *   otherwise, so mass assignment is a clear 400 naming the field.
 * - Query strings, params and headers: strings are coerced to the declared scalar types; a scalar
 *   parameter given twice (`?a=1&a=2`) fails validation.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

// ajv-formats ships CommonJS with a default export that NodeNext sees as the module object.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: true, strict: false };

type JsonSchema = Record<string, unknown>;

/** Deep copy with `additionalProperties: false` on every object schema that does not set it. */
export function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps names to schemas: recurse into the values, keep the names.
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closeObjects(v)]))
        : closeObjects(value);
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !out.patternProperties) {
    out.additionalProperties = false;
  }
  return out;
}

let standaloneBodies: Ajv | null = null;

/**
 * A validator with the same rules as a `/v1` body (closed objects, no coercion, formats), for
 * payload parts a service validates one by one (batch items: one bad item must not fail the batch).
 */
export function compileBodyValidator(schema: unknown) {
  if (!standaloneBodies) {
    standaloneBodies = new Ajv({ ...common, coerceTypes: false });
    addFormats(standaloneBodies);
  }
  return standaloneBodies.compile(closeObjects(JSON.parse(JSON.stringify(schema))) as JsonSchema);
}

export default fp(
  async function validation(app: FastifyInstance) {
    const bodies = new Ajv({ ...common, coerceTypes: false });
    const others = new Ajv({ ...common, coerceTypes: 'array' });
    addFormats(bodies);
    addFormats(others);
    app.setValidatorCompiler(({ schema, httpPart, url }) => {
      const strict = url.startsWith('/v1') && (httpPart === 'body' || httpPart === 'querystring');
      const prepared = strict ? closeObjects(schema) : JSON.parse(JSON.stringify(schema));
      return (httpPart === 'body' ? bodies : others).compile(prepared as JsonSchema);
    });
  },
  { name: 'validation' },
);
