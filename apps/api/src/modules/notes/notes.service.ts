/**
 * Clinical notes on a patient record: clinicians write, staff read. A note is never edited or
 * deleted; a correction or addition is an amendment with its own author and time. Every read and
 * write is audited with ids only (never the text); a missing patient or note is 404, audited.
 */
import type { Database } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { Actor } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import * as repo from './notes.repository.js';
import type { AmendmentBody, Note, NoteBody, NoteListQuery } from './notes.schema.js';

export interface NotesDeps {
  db: Database;
  audit: AuditService;
  events: Events;
  clock: Clock;
}

function toNote(row: repo.NoteRow, amendments: repo.AmendmentRow[]): Note {
  return {
    id: row.id,
    patientId: row.patientId,
    authorId: row.authorStaffId,
    authorName: row.authorName,
    text: row.text,
    amendments: amendments
      .filter((a) => a.noteId === row.id)
      .map((a) => ({
        id: a.id,
        noteId: a.noteId,
        authorId: a.authorStaffId,
        authorName: a.authorName,
        text: a.text,
        reason: a.reason,
        createdAt: a.createdAt.toISOString(),
      })),
    createdAt: row.createdAt.toISOString(),
  };
}

export class NotesService {
  constructor(private readonly d: NotesDeps) {}

  private async requirePatient(origin: AuditOrigin, action: string, patientId: number): Promise<void> {
    if (await repo.patientExists(this.d.db, patientId)) return;
    await this.d.audit.record(this.d.db, {
      ...origin,
      action,
      resourceType: 'note',
      outcome: 'failure',
      details: { reason: 'not_found', patientRef: patientId },
    });
    throw new NotFoundError('patient');
  }

  async list(origin: AuditOrigin, patientId: number, query: NoteListQuery) {
    await this.requirePatient(origin, 'notes.list', patientId);
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 20;
    const { rows, total } = await repo.listNotes(this.d.db, patientId, perPage, (page - 1) * perPage);
    const amendments = await repo.amendmentsOf(
      this.d.db,
      rows.map((r) => r.id),
    );
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'notes.list',
      resourceType: 'note',
      patientId,
      outcome: 'success',
      details: { page, perPage, returned: rows.length, total, noteIds: rows.map((r) => r.id) },
    });
    return { data: rows.map((r) => toNote(r, amendments)), total };
  }

  async create(actor: Actor, origin: AuditOrigin, patientId: number, body: NoteBody): Promise<Note> {
    await this.requirePatient(origin, 'notes.create', patientId);
    const now = this.d.clock.now();
    const id = await withTransaction(this.d.db, async (tx) => {
      const row = await repo.insertNote(tx, {
        patientId,
        authorStaffId: actor.id,
        text: body.text,
        createdAt: now,
        updatedAt: now,
      });
      await this.d.audit.record(tx, {
        ...origin,
        action: 'notes.create',
        resourceType: 'note',
        resourceId: row.id,
        patientId,
        outcome: 'success',
      });
      await this.d.events.publishAfterCommit(tx, 'notes', 'created', { noteId: row.id, patientId });
      return row.id;
    });
    return toNote((await repo.findNote(this.d.db, id)) as repo.NoteRow, []);
  }

  async amend(
    actor: Actor,
    origin: AuditOrigin,
    patientId: number,
    noteId: number,
    body: AmendmentBody,
  ): Promise<Note> {
    const note = await repo.findNote(this.d.db, noteId);
    // A note reached through another patient's URL is "not found", like a missing one.
    if (!note || note.patientId !== patientId) {
      await this.d.audit.record(this.d.db, {
        ...origin,
        action: 'notes.amend',
        resourceType: 'note',
        resourceId: noteId,
        patientId: note?.patientId ?? null,
        outcome: 'failure',
        details: { reason: 'not_found' },
      });
      throw new NotFoundError('note');
    }
    const now = this.d.clock.now();
    await withTransaction(this.d.db, async (tx) => {
      const row = await repo.insertAmendment(tx, {
        noteId,
        authorStaffId: actor.id,
        text: body.text,
        reason: body.reason ?? null,
        createdAt: now,
        updatedAt: now,
      });
      await this.d.audit.record(tx, {
        ...origin,
        action: 'notes.amend',
        resourceType: 'note',
        resourceId: noteId,
        patientId,
        outcome: 'success',
        details: { amendmentId: row.id, reasonGiven: body.reason !== undefined },
      });
      await this.d.events.publishAfterCommit(tx, 'notes', 'amended', { noteId, patientId, amendmentId: row.id });
    });
    return toNote(note, await repo.amendmentsOf(this.d.db, [noteId]));
  }
}
