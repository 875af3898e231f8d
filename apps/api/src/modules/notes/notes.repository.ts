/** The only file of the notes module that touches the query builder. Notes are only ever inserted. */
import { asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { noteAmendments, notes, patients, staff } from '../../db/schema/index.js';

export type NoteRow = typeof notes.$inferSelect & { authorName: string };
export type AmendmentRow = typeof noteAmendments.$inferSelect & { authorName: string };

export async function patientExists(db: Executor, id: number): Promise<boolean> {
  const [row] = await db.select({ id: patients.id }).from(patients).where(eq(patients.id, id));
  return row !== undefined;
}

export async function insertNote(tx: Executor, values: typeof notes.$inferInsert) {
  const [row] = await tx.insert(notes).values(values).returning();
  if (!row) throw new Error('note insert returned no row');
  return row;
}

export async function insertAmendment(tx: Executor, values: typeof noteAmendments.$inferInsert) {
  const [row] = await tx.insert(noteAmendments).values(values).returning();
  if (!row) throw new Error('amendment insert returned no row');
  return row;
}

const noteColumns = {
  id: notes.id,
  patientId: notes.patientId,
  authorStaffId: notes.authorStaffId,
  text: notes.text,
  createdAt: notes.createdAt,
  updatedAt: notes.updatedAt,
  authorName: staff.name,
};

export async function findNote(db: Executor, id: number): Promise<NoteRow | null> {
  const [row] = await db
    .select(noteColumns)
    .from(notes)
    .innerJoin(staff, eq(staff.id, notes.authorStaffId))
    .where(eq(notes.id, id));
  return row ?? null;
}

/** A patient's notes, newest first, with the total. */
export async function listNotes(
  db: Executor,
  patientId: number,
  limit: number,
  offset: number,
): Promise<{ rows: NoteRow[]; total: number }> {
  const [rows, totals] = await Promise.all([
    db
      .select(noteColumns)
      .from(notes)
      .innerJoin(staff, eq(staff.id, notes.authorStaffId))
      .where(eq(notes.patientId, patientId))
      .orderBy(desc(notes.createdAt), desc(notes.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(notes).where(eq(notes.patientId, patientId)),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** Amendments of the given notes, oldest first. */
export async function amendmentsOf(db: Executor, noteIds: number[]): Promise<AmendmentRow[]> {
  if (noteIds.length === 0) return [];
  return db
    .select({
      id: noteAmendments.id,
      noteId: noteAmendments.noteId,
      authorStaffId: noteAmendments.authorStaffId,
      text: noteAmendments.text,
      reason: noteAmendments.reason,
      createdAt: noteAmendments.createdAt,
      updatedAt: noteAmendments.updatedAt,
      authorName: staff.name,
    })
    .from(noteAmendments)
    .innerJoin(staff, eq(staff.id, noteAmendments.authorStaffId))
    .where(inArray(noteAmendments.noteId, noteIds))
    .orderBy(asc(noteAmendments.id));
}
