/**
 * The patient hears about decisions and resolutions by e-mail (through a real SMTP exchange with
 * an in-process server, like the password-reset mail) and by an event after the commit. Neither
 * carries clinical content: the reason and the resolution stay behind the patient's login.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOLUTION, requestIn, staffToken } from '../../../test/access-matrix/consultations.js';
import { buildTestApp, createTestDb } from '../../../test/build-test-app.js';
import type { DbHandle } from '../../db/client.js';
import type { DomainEvent } from '../../lib/event-bus.js';

interface Received {
  to: string[];
  raw: string;
}

let db: DbHandle;
let app: FastifyInstance;
let smtp: SMTPServer;
const inbox: Received[] = [];
const events: DomainEvent[] = [];

beforeAll(async () => {
  db = await createTestDb();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  app = await buildTestApp({ db, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  app.events.bus.subscribe((e) => events.push(e));
});
afterAll(async () => {
  await app.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await db.close();
});

/** Headers and decoded text of a single-part message (quoted-printable or base64). */
function decode(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, split);
  const body = raw.slice(split).trim();
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return headers + Buffer.from(body, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return headers + Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return headers + body;
}

async function mailTo(email: string): Promise<string[]> {
  await app.mailer.flush();
  return inbox.filter((m) => m.to.includes(email)).map((m) => decode(m.raw));
}

async function emailOf(patientId: number): Promise<string> {
  const res = await app.inject({ url: `/v1/patients/${patientId}`, headers: await staffToken(app, db, 'admin') });
  return res.json().email as string;
}

describe('patient notifications', () => {
  it('an accepted request e-mails the patient and publishes request_accepted', async () => {
    expect(app.mailer.kind).toBe('smtp');
    const f = await requestIn(app, db, 'accepted');
    const mails = await mailTo(await emailOf(f.patientId));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('aceptó tu pedido de consulta');
    expect(events.some((e) => e.type === 'request_accepted' && e.ids.requestId === f.requestId)).toBe(true);
  });

  it('a denial e-mails the patient without the reason', async () => {
    const f = await requestIn(app, db, 'pending');
    const res = await app.inject({
      method: 'POST',
      url: `/v1/queue/requests/${f.requestId}/deny`,
      headers: await staffToken(app, db, 'assistant'),
      payload: { reason: 'Derivar a guardia externa' },
    });
    expect(res.statusCode).toBe(200);
    const mails = await mailTo(await emailOf(f.patientId));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('no pudo aceptar hoy');
    expect(mails[0]).not.toContain('guardia');
    const event = events.find((e) => e.type === 'request_denied' && e.ids.requestId === f.requestId);
    expect(event?.ids).toEqual({ requestId: f.requestId, patientId: f.patientId });
  });

  it('a resolution and its correction each e-mail the patient, with no clinical content', async () => {
    const f = await requestIn(app, db, 'created');
    const email = await emailOf(f.patientId);
    const before = (await mailTo(email)).length;
    const url = `/v1/appointments/${f.appointmentId}/resolution`;
    const headers = await staffToken(app, db, 'clinician');
    expect((await app.inject({ method: 'POST', url, headers, payload: RESOLUTION })).statusCode).toBe(201);
    const correction = { ...RESOLUTION, changeBasalDose: 24, revises: 1, correctionReason: 'dosis-mal-tipeada' };
    expect((await app.inject({ method: 'POST', url, headers, payload: correction })).statusCode).toBe(201);
    const mails = (await mailTo(email)).slice(before);
    expect(mails).toHaveLength(2);
    expect(mails[0]).toContain('respondió tu consulta');
    expect(mails[1]).toContain('corrigió la respuesta');
    for (const m of mails) expect(m).not.toMatch(/Lantus|Subir basal|22:00|dosis-mal-tipeada/);
    expect(
      events.filter((e) => e.topic === 'appointments' && e.ids.appointmentId === f.appointmentId).map((e) => e.type),
    ).toEqual(['created', 'resolved', 'resolution_corrected']);
  });

  it('a refused decision sends nothing', async () => {
    const f = await requestIn(app, db, 'denied');
    const email = await emailOf(f.patientId);
    const before = (await mailTo(email)).length;
    const res = await app.inject({
      method: 'POST',
      url: `/v1/queue/requests/${f.requestId}/accept`,
      headers: await staffToken(app, db, 'clinician'),
    });
    expect(res.statusCode).toBe(409);
    expect(await mailTo(email)).toHaveLength(before);
  });
});
