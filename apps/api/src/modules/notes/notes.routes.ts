/** `/v1/patients/:id/notes` routes. HTTP only. */
import type { FastifyInstance } from 'fastify';
import { route } from '../../lib/route.js';
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

export default async function notesRoutes(app: FastifyInstance, opts: { service: NotesService }) {
  const { service } = opts;

  route(app, {
    method: 'GET',
    url: '/v1/patients/:id/notes',
    operationId: 'listPatientNotes',
    summary: "A patient's clinical notes with their amendments, newest first (page/perPage, total); audited",
    tags,
    auth: STAFF_READ,
    params: PatientParams,
    querystring: NoteListQuery,
    success: { 200: NotePage },
    errors: [404],
    handler: (request) => service.list(auditOrigin(request), request.params.id, request.query),
  });

  route(app, {
    method: 'POST',
    url: '/v1/patients/:id/notes',
    operationId: 'createPatientNote',
    summary: 'Write a clinical note (clinicians). Notes are never edited: amend them instead',
    tags,
    auth: CLINICIAN_WRITE,
    params: PatientParams,
    body: NoteBody,
    success: { 201: Note },
    errors: [404],
    handler: (request) => service.create(actorOf(request), auditOrigin(request), request.params.id, request.body),
  });

  route(app, {
    method: 'POST',
    url: '/v1/patients/:id/notes/:noteId/amendments',
    operationId: 'amendPatientNote',
    summary: 'Amend a note (clinicians): the original stays, the amendment is added with its author and time',
    tags,
    auth: CLINICIAN_WRITE,
    params: NoteParams,
    body: AmendmentBody,
    success: { 201: Note },
    errors: [404],
    handler: (request) => {
      const { id, noteId } = request.params;
      return service.amend(actorOf(request), auditOrigin(request), id, noteId, request.body);
    },
  });
}
