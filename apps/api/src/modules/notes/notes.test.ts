/**
 * Clinical notes: clinicians write, staff read, patients never reach them; a note is never
 * edited, amendments are added with their author; every read and write is audited with ids only.
 */
import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientToken, staffToken } from '../../../test/access-matrix/consultations.js';
import { buildTestApp, createTestDb } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import type { DbHandle } from '../../db/client.js';
import { auditEvents, noteAmendments, notes } from '../../db/schema/index.js';

let db: DbHandle;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp({ db });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

type Who = 'admin' | 'assistant' | 'clinician' | number;
async function call(method: 'GET' | 'POST', url: string, who: Who, payload?: object) {
  const headers = typeof who === 'number' ? await patientToken(app, who) : await staffToken(app, db, who);
  return app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
}
const auditOf = (res: LightMyRequestResponse) =>
  db.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])));
const newPatient = async () => (await createPatient(db.db, { password: null })).id;

describe('writing and reading notes', () => {
  it('a clinician writes a note; staff read it with its author; the write and the read are audited without the text', async () => {
    const p = await newPatient();
    const res = await call('POST', `/v1/patients/${p}/notes`, 'clinician', {
      text: 'HbA1c 7,9 %.\nControl en 3 meses.',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ patientId: p, text: 'HbA1c 7,9 %.\nControl en 3 meses.', amendments: [] });
    const [write] = await auditOf(res);
    expect(write).toMatchObject({
      action: 'notes.create',
      patientId: p,
      resourceId: String(res.json().id),
      outcome: 'success',
    });
    expect(JSON.stringify(write?.details)).not.toContain('HbA1c');

    for (const who of ['assistant', 'admin', 'clinician'] as const) {
      const list = await call('GET', `/v1/patients/${p}/notes`, who);
      expect(list.statusCode, who).toBe(200);
      expect(list.json()).toMatchObject({ total: 1, data: [{ id: res.json().id, authorId: res.json().authorId }] });
      const [read] = await auditOf(list);
      expect(read).toMatchObject({ action: 'notes.list', patientId: p, outcome: 'success', actorRole: who });
      expect(read?.details).toMatchObject({ noteIds: [res.json().id], returned: 1 });
    }
  });

  it('assistants and admins cannot write notes; patients reach no note route, their own record included', async () => {
    const p = await newPatient();
    for (const who of ['assistant', 'admin'] as const) {
      expect((await call('POST', `/v1/patients/${p}/notes`, who, { text: 'x' })).statusCode).toBe(403);
    }
    expect((await call('GET', `/v1/patients/${p}/notes`, p)).statusCode).toBe(401);
    expect((await call('POST', `/v1/patients/${p}/notes`, p, { text: 'x' })).statusCode).toBe(401);
    expect(await db.db.select().from(notes).where(eq(notes.patientId, p))).toHaveLength(0);
  });

  it('lists newest first with page, perPage and total', async () => {
    const p = await newPatient();
    for (const text of ['uno', 'dos', 'tres']) await call('POST', `/v1/patients/${p}/notes`, 'clinician', { text });
    const page = (await call('GET', `/v1/patients/${p}/notes?perPage=2`, 'assistant')).json();
    expect(page.total).toBe(3);
    expect(page.data.map((n: { text: string }) => n.text)).toEqual(['tres', 'dos']);
    const last = (await call('GET', `/v1/patients/${p}/notes?perPage=2&page=2`, 'assistant')).json();
    expect(last.data.map((n: { text: string }) => n.text)).toEqual(['uno']);
  });

  it('an unknown patient is 404 for read and write, audited; invalid text is 400', async () => {
    const read = await call('GET', '/v1/patients/987654/notes', 'clinician');
    expect(read.statusCode).toBe(404);
    expect((await auditOf(read))[0]).toMatchObject({ action: 'notes.list', outcome: 'failure', patientId: null });
    expect((await call('POST', '/v1/patients/987654/notes', 'clinician', { text: 'x' })).statusCode).toBe(404);
    const p = await newPatient();
    for (const body of [
      { text: '' },
      { text: 'x'.repeat(10_001) },
      { text: 'bell\u0007' },
      { text: 'x', authorId: 1 },
      {},
    ]) {
      expect((await call('POST', `/v1/patients/${p}/notes`, 'clinician', body)).statusCode, JSON.stringify(body)).toBe(
        400,
      );
    }
  });
});

describe('amendments', () => {
  it('an amendment keeps the original text and adds the amendment with its author, reason and time', async () => {
    const p = await newPatient();
    const note = (await call('POST', `/v1/patients/${p}/notes`, 'clinician', { text: 'Basal 18 U.' })).json();
    const res = await call('POST', `/v1/patients/${p}/notes/${note.id}/amendments`, 'clinician', {
      text: 'Corrijo: basal 16 U.',
      reason: 'error de tipeo',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      id: note.id,
      text: 'Basal 18 U.',
      amendments: [{ noteId: note.id, text: 'Corrijo: basal 16 U.', reason: 'error de tipeo' }],
    });
    const [stored] = await db.db.select().from(notes).where(eq(notes.id, note.id));
    expect(stored?.text).toBe('Basal 18 U.');
    expect(stored?.updatedAt.toISOString()).toBe(note.createdAt);
    const [audit] = await auditOf(res);
    expect(audit).toMatchObject({ action: 'notes.amend', patientId: p, resourceId: String(note.id) });
    expect(JSON.stringify(audit?.details)).not.toMatch(/16 U|tipeo/);
    const listed = (await call('GET', `/v1/patients/${p}/notes`, 'assistant')).json();
    expect(listed.data[0].amendments).toHaveLength(1);
  });

  it("a note reached through another patient's URL is 404 and nothing is added; assistants cannot amend", async () => {
    const [a, b] = [await newPatient(), await newPatient()];
    const note = (await call('POST', `/v1/patients/${a}/notes`, 'clinician', { text: 'Nota de A' })).json();
    const res = await call('POST', `/v1/patients/${b}/notes/${note.id}/amendments`, 'clinician', { text: 'x' });
    expect(res.statusCode).toBe(404);
    expect(
      (await call('POST', `/v1/patients/${a}/notes/999999/amendments`, 'clinician', { text: 'x' })).statusCode,
    ).toBe(404);
    expect(
      (await call('POST', `/v1/patients/${a}/notes/${note.id}/amendments`, 'assistant', { text: 'x' })).statusCode,
    ).toBe(403);
    expect(await db.db.select().from(noteAmendments).where(eq(noteAmendments.noteId, note.id))).toHaveLength(0);
  });
});
