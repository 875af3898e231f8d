import { beforeAll, describe, expect, it } from 'vitest';
import { RESOLUTION, requestIn, staffToken } from '../../../test/access-matrix/consultations.js';
import { useSmtpInbox } from '../../../test/smtp-inbox.js';
import { useTestApp } from '../../../test/use-test-app.js';
import type { DomainEvent } from '../../lib/event-bus.js';

const events: DomainEvent[] = [];

// The SMTP server starts first: the app's config names its port.
const smtp = useSmtpInbox();
const inbox = smtp.messages;
const api = useTestApp({ env: () => ({ SMTP_URL: smtp.url }) });
beforeAll(() => {
  api.app.events.bus.subscribe((e) => events.push(e));
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
  await api.app.mailer.flush();
  return inbox.filter((m) => m.to.includes(email)).map((m) => decode(m.raw));
}

async function emailOf(patientId: number): Promise<string> {
  const res = await api.app.inject({
    url: `/v1/patients/${patientId}`,
    headers: await staffToken(api.app, api.db, 'admin'),
  });
  return res.json().email as string;
}

describe('patient notifications', () => {
  it('an accepted request e-mails the patient and publishes request_accepted', async () => {
    expect(api.app.mailer.kind).toBe('smtp');
    const f = await requestIn(api.app, api.db, 'accepted');
    const mails = await mailTo(await emailOf(f.patientId));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('aceptó tu pedido de consulta');
    expect(events.some((e) => e.type === 'request_accepted' && e.ids.requestId === f.requestId)).toBe(true);
  });

  it('a denial e-mails the patient without the reason', async () => {
    const f = await requestIn(api.app, api.db, 'pending');
    const res = await api.app.inject({
      method: 'POST',
      url: `/v1/queue/requests/${f.requestId}/deny`,
      headers: await staffToken(api.app, api.db, 'assistant'),
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
    const f = await requestIn(api.app, api.db, 'created');
    const email = await emailOf(f.patientId);
    const before = (await mailTo(email)).length;
    const url = `/v1/appointments/${f.appointmentId}/resolution`;
    const headers = await staffToken(api.app, api.db, 'clinician');
    expect((await api.app.inject({ method: 'POST', url, headers, payload: RESOLUTION })).statusCode).toBe(201);
    const correction = { ...RESOLUTION, changeBasalDose: 24, revises: 1, correctionReason: 'dosis-mal-tipeada' };
    expect((await api.app.inject({ method: 'POST', url, headers, payload: correction })).statusCode).toBe(201);
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
    const f = await requestIn(api.app, api.db, 'denied');
    const email = await emailOf(f.patientId);
    const before = (await mailTo(email)).length;
    const res = await api.app.inject({
      method: 'POST',
      url: `/v1/queue/requests/${f.requestId}/accept`,
      headers: await staffToken(api.app, api.db, 'clinician'),
    });
    expect(res.statusCode).toBe(409);
    expect(await mailTo(email)).toHaveLength(before);
  });
});
