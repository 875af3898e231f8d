/** Schemas of clinical notes and their amendments; route policies. */
import { OffsetPage } from '@diabetify/contracts';
import { type Static, Type } from 'typebox';
import { offsetPageQuery } from '../../lib/paging.js';
import type { RoutePolicy } from '../../lib/principal.js';

export const STAFF_READ: RoutePolicy = { audience: 'backoffice', roles: ['clinician', 'assistant', 'admin'] };
export const CLINICIAN_WRITE: RoutePolicy = { audience: 'backoffice', roles: ['clinician'] };

/** Clinical prose: line breaks and tabs allowed, other control characters refused (LG-7). */
const TEXT = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const PatientParams = Type.Object({ id: Id });
export const NoteParams = Type.Object({ id: Id, noteId: Id });

const NoteText = Type.String({ minLength: 1, maxLength: 10000, pattern: TEXT });

export const NoteBody = Type.Object({ text: NoteText });
export type NoteBody = Static<typeof NoteBody>;

export const AmendmentBody = Type.Object({
  text: NoteText,
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: TEXT })),
});
export type AmendmentBody = Static<typeof AmendmentBody>;

export const Amendment = Type.Object(
  {
    id: Type.Integer(),
    noteId: Type.Integer(),
    authorId: Type.Integer(),
    authorName: Type.String(),
    text: Type.String(),
    reason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'NoteAmendment' },
);
export type Amendment = Static<typeof Amendment>;

export const Note = Type.Object(
  {
    id: Type.Integer(),
    patientId: Type.Integer(),
    authorId: Type.Integer(),
    authorName: Type.String(),
    text: Type.String({ description: 'As first written; never edited' }),
    amendments: Type.Array(Amendment, { description: 'Oldest first' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { title: 'Note' },
);
export type Note = Static<typeof Note>;
export const NotePage = OffsetPage(Note);

export const NoteListQuery = Type.Object(offsetPageQuery);
export type NoteListQuery = Static<typeof NoteListQuery>;
