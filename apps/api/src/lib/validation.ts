/**
 * The validation rules of a `/v1` request, as plain functions: the validation plugin compiles route
 * schemas with them, and services validate payload parts one by one with the same rules (a batch
 * item must not fail the whole batch). Here rather than in plugins/ so that domain rule files
 * (readings.rules.ts) need no HTTP plugin.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS with a default export that NodeNext sees as the module object.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: true, strict: false };

export type JsonSchema = Record<string, unknown>;

/**
 * An Ajv with our options and formats. Bodies never coerce (`"1"` is not 1); query strings,
 * params and headers coerce to the declared scalar types (`'array'`: a repeated scalar fails).
 */
export function createAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ ...common, coerceTypes });
  addFormats(ajv);
  return ajv;
}

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
  standaloneBodies ??= createAjv(false);
  return standaloneBodies.compile(closeObjects(JSON.parse(JSON.stringify(schema))) as JsonSchema);
}

/** Ajv errors → `errors` map (`body.field` → message); also used for batch items validated one by one. */
export function validationFieldErrors(
  validation: readonly { instancePath: string; params: unknown; message?: string | undefined }[],
  context: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of validation) {
    const params = v.params as { missingProperty?: string; additionalProperty?: string };
    let field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (params.missingProperty) field = field ? `${field}.${params.missingProperty}` : params.missingProperty;
    if (params.additionalProperty) field = field ? `${field}.${params.additionalProperty}` : params.additionalProperty;
    const key = field ? `${context}.${field}` : context;
    const message = params.additionalProperty ? 'is not an allowed field' : (v.message ?? 'is invalid');
    out[key] ??= message;
  }
  return out;
}
