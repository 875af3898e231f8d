/** Placeholder: filled in by the legacy routes work (see legacy README). */
import type { FastifyInstance } from 'fastify';

export default async function backofficeUsersRoutes(_app: FastifyInstance) {}
