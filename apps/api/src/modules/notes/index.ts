/** Clinical notes on patient records (clinicians write, staff read; immutable, with amendments). */
import type { FastifyInstance } from 'fastify';
import notesRoutes from './notes.routes.js';
import { NotesService } from './notes.service.js';

export function notesService(app: FastifyInstance): NotesService {
  return new NotesService({ db: app.db.db, audit: app.audit, events: app.events, clock: app.clock });
}

export default async function notesModule(app: FastifyInstance) {
  await app.register(notesRoutes, { service: notesService(app) });
}
