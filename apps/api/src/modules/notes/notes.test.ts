/**
 * Clinical notes: clinicians write, staff read, patients never reach them; a note is never
 * edited, amendments are added with their author; every read and write is audited with ids only.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { noteAmendments, notes } from '../../db/schema/index.js';

const t = useTestApp();

const newPatient = async () => (await createPatient(t.db.db, { password: null })).id;

describe('writing and reading notes', () => {
  it('a clinician writes a note; staff read it with its author; the write and the read are audited without the text', async () => {
    const p = await newPatient();
    const res = await t.call('clinician', 'POST', `/v1/patients/${p}/notes`, {
      text: 'HbA1c 7,9 %.\nControl en 3 meses.',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ patientId: p, text: 'HbA1c 7,9 %.\nControl en 3 meses.', amendments: [] });
    const [write] = await t.auditOf(res);
    expect(write).toMatchObject({
      action: 'notes.create',
      patientId: p,
      resourceId: String(res.json().id),
      outcome: 'success',
    });
    expect(JSON.stringify(write?.details)).not.toContain('HbA1c');

    for (const who of ['assistant', 'admin', 'clinician'] as const) {
      const list = await t.call(who, 'GET', `/v1/patients/${p}/notes`);
      expect(list.statusCode, who).toBe(200);
      expect(list.json()).toMatchObject({ total: 1, data: [{ id: res.json().id, authorId: res.json().authorId }] });
      const [read] = await t.auditOf(list);
      expect(read).toMatchObject({ action: 'notes.list', patientId: p, outcome: 'success', actorRole: who });
      expect(read?.details).toMatchObject({ noteIds: [res.json().id], returned: 1 });
    }
  });

  it('assistants and admins cannot write notes; patients reach no note route, their own record included', async () => {
    const p = await newPatient();
    for (const who of ['assistant', 'admin'] as const) {
      expect((await t.call(who, 'POST', `/v1/patients/${p}/notes`, { text: 'x' })).statusCode).toBe(403);
    }
    expect((await t.call(p, 'GET', `/v1/patients/${p}/notes`)).statusCode).toBe(401);
    expect((await t.call(p, 'POST', `/v1/patients/${p}/notes`, { text: 'x' })).statusCode).toBe(401);
    expect(await t.db.db.select().from(notes).where(eq(notes.patientId, p))).toHaveLength(0);
  });

  it('lists newest first with page, perPage and total', async () => {
    const p = await newPatient();
    for (const text of ['uno', 'dos', 'tres']) await t.call('clinician', 'POST', `/v1/patients/${p}/notes`, { text });
    const page = (await t.call('assistant', 'GET', `/v1/patients/${p}/notes?perPage=2`)).json();
    expect(page.total).toBe(3);
    expect(page.data.map((n: { text: string }) => n.text)).toEqual(['tres', 'dos']);
    const last = (await t.call('assistant', 'GET', `/v1/patients/${p}/notes?perPage=2&page=2`)).json();
    expect(last.data.map((n: { text: string }) => n.text)).toEqual(['uno']);
  });

  it('an unknown patient is 404 for read and write, audited; invalid text is 400', async () => {
    const read = await t.call('clinician', 'GET', '/v1/patients/987654/notes');
    expect(read.statusCode).toBe(404);
    expect((await t.auditOf(read))[0]).toMatchObject({ action: 'notes.list', outcome: 'failure', patientId: null });
    expect((await t.call('clinician', 'POST', '/v1/patients/987654/notes', { text: 'x' })).statusCode).toBe(404);
    const p = await newPatient();
    for (const body of [
      { text: '' },
      { text: 'x'.repeat(10_001) },
      { text: 'bell\u0007' },
      { text: 'x', authorId: 1 },
      {},
    ]) {
      expect(
        (await t.call('clinician', 'POST', `/v1/patients/${p}/notes`, body)).statusCode,
        JSON.stringify(body),
      ).toBe(400);
    }
  });
});

describe('amendments', () => {
  it('an amendment keeps the original text and adds the amendment with its author, reason and time', async () => {
    const p = await newPatient();
    const note = (await t.call('clinician', 'POST', `/v1/patients/${p}/notes`, { text: 'Basal 18 U.' })).json();
    const res = await t.call('clinician', 'POST', `/v1/patients/${p}/notes/${note.id}/amendments`, {
      text: 'Corrijo: basal 16 U.',
      reason: 'error de tipeo',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      id: note.id,
      text: 'Basal 18 U.',
      amendments: [{ noteId: note.id, text: 'Corrijo: basal 16 U.', reason: 'error de tipeo' }],
    });
    const [stored] = await t.db.db.select().from(notes).where(eq(notes.id, note.id));
    expect(stored?.text).toBe('Basal 18 U.');
    expect(stored?.updatedAt.toISOString()).toBe(note.createdAt);
    const [audit] = await t.auditOf(res);
    expect(audit).toMatchObject({ action: 'notes.amend', patientId: p, resourceId: String(note.id) });
    expect(JSON.stringify(audit?.details)).not.toMatch(/16 U|tipeo/);
    const listed = (await t.call('assistant', 'GET', `/v1/patients/${p}/notes`)).json();
    expect(listed.data[0].amendments).toHaveLength(1);
  });

  it("a note reached through another patient's URL is 404 and nothing is added; assistants cannot amend", async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    const note = (await t.call('clinician', 'POST', `/v1/patients/${a}/notes`, { text: 'Nota de A' })).json();
    const res = await t.call('clinician', 'POST', `/v1/patients/${b}/notes/${note.id}/amendments`, { text: 'x' });
    expect(res.statusCode).toBe(404);
    expect(
      (await t.call('clinician', 'POST', `/v1/patients/${a}/notes/999999/amendments`, { text: 'x' })).statusCode,
    ).toBe(404);
    expect(
      (await t.call('assistant', 'POST', `/v1/patients/${a}/notes/${note.id}/amendments`, { text: 'x' })).statusCode,
    ).toBe(403);
    expect(await t.db.db.select().from(noteAmendments).where(eq(noteAmendments.noteId, note.id))).toHaveLength(0);
  });
});
