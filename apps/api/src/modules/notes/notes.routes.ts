/** `/v1/patients/:id/notes` routes. HTTP only. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { responses } from '../../lib/http.js';
import { actorOf, auditOrigin } from '../../plugins/auth.request.js';
import {
  AmendmentBody,
  CLINICIAN_WRITE,
  Note,
  NoteBody,
  NoteListQuery,
  NotePage,
  NoteParams,
  PatientParams,
  STAFF_READ,
} from './notes.schema.js';
import type { NotesService } from './notes.service.js';

const tags = ['notes'];

export default async function notesRoutes(root: FastifyInstance, opts: { service: NotesService }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { service } = opts;

  app.get(
    '/v1/patients/:id/notes',
    {
      config: { auth: STAFF_READ },
      schema: {
        tags,
        summary: "A patient's clinical notes with their amendments, newest first (page/perPage, total); audited",
        params: PatientParams,
        querystring: NoteListQuery,
        response: responses({ 200: NotePage }, [404]),
      },
    },
    async (request) => service.list(auditOrigin(request), request.params.id, request.query),
  );

  app.post(
    '/v1/patients/:id/notes',
    {
      config: { auth: CLINICIAN_WRITE },
      schema: {
        tags,
        summary: 'Write a clinical note (clinicians). Notes are never edited: amend them instead',
        params: PatientParams,
        body: NoteBody,
        response: responses({ 201: Note }, [404]),
      },
    },
    async (request, reply) => {
      const note = await service.create(actorOf(request), auditOrigin(request), request.params.id, request.body);
      return reply.status(201).send(note);
    },
  );

  app.post(
    '/v1/patients/:id/notes/:noteId/amendments',
    {
      config: { auth: CLINICIAN_WRITE },
      schema: {
        tags,
        summary: 'Amend a note (clinicians): the original stays, the amendment is added with its author and time',
        params: NoteParams,
        body: AmendmentBody,
        response: responses({ 201: Note }, [404]),
      },
    },
    async (request, reply) => {
      const { id, noteId } = request.params;
      const note = await service.amend(actorOf(request), auditOrigin(request), id, noteId, request.body);
      return reply.status(201).send(note);
    },
  );
}
