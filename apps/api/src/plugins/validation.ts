/**
 * Request validation (security.md IV-1, IV-5, IV-6, AZ-5).
 * - Bodies: no type coercion (`"1"` is not 1) and unknown fields are rejected, not stripped:
 *   every object in a `/v1` body or query schema gets `additionalProperties: false` unless it says
 *   otherwise, so mass assignment is a clear 400 naming the field.
 * - Query strings, params and headers: strings are coerced to the declared scalar types; a scalar
 *   parameter given twice (`?a=1&a=2`) fails validation.
 * The rules themselves are lib/validation.ts (services validate batch items with them too).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { closeObjects, createAjv, type JsonSchema } from '../lib/validation.js';

export default fp(
  async function validation(app: FastifyInstance) {
    const bodies = createAjv(false);
    const others = createAjv('array');
    app.setValidatorCompiler(({ schema, httpPart, url }) => {
      const strict = url.startsWith('/v1') && (httpPart === 'body' || httpPart === 'querystring');
      const prepared = strict ? closeObjects(schema) : JSON.parse(JSON.stringify(schema));
      return (httpPart === 'body' ? bodies : others).compile(prepared as JsonSchema);
    });
  },
  { name: 'validation' },
);
