/**
 * Authentication routes. Today: the public signing keys. Login, refresh, sessions and MFA are
 * built on the same KeyStore by the identity capability.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

const Jwk = Type.Object(
  {
    kty: Type.String(),
    crv: Type.String(),
    x: Type.String(),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.String(),
  },
  { additionalProperties: false },
);

export default async function authModule(app: FastifyInstance) {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['auth'],
        summary: 'Public keys that verify access tokens (current and previous)',
        response: { 200: Type.Object({ keys: Type.Array(Jwk) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return app.keys.jwks();
    },
  );
}
