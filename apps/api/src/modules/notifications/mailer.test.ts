/**
 * E-mail end to end (architecture: tests receive mail with an in-process SMTP server): a reset
 * link travels through real SMTP, is followed, and the new password signs in (security.md PR-1…
 * PR-5). Also the development `.eml` file transport, and "no mail if the transaction rolls back".
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useSmtpInbox } from '../../../test/smtp-inbox.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { withTransaction } from '../../db/transaction.js';
import { createMemoryMailer, sendAfterCommit } from './mailer.js';

const smtp = useSmtpInbox();
const inbox = smtp.messages;

const api = useTestApp({ app: false });

/** The decoded text body of a raw single-part message (quoted-printable or base64). */
function textOf(raw: string): string {
  const split = raw.indexOf('\n\n') >= 0 ? raw.indexOf('\n\n') : raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const body = raw.slice(split).trim();
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

const linkIn = (text: string) => /https?:\/\/\S+#token=\S+/.exec(text)?.[0];

const loginWith = (app: FastifyInstance, identifier: string, password: string) =>
  app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password } });

describe('password reset over SMTP', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp({
      db: api.db,
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, PUBLIC_WEB_ORIGIN: 'https://clinic.example' },
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('mails a link on the configured origin despite hostile Host headers; following it resets the password (PR-4)', async () => {
    expect(app.mailer.kind).toBe('smtp');
    const p = await createPatient(api.db.db);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/auth/password/forgot',
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
      payload: { email: p.email },
    });
    expect(res.statusCode).toBe(202);
    await app.mailer.flush();
    const message = inbox.find((m) => m.to.includes(p.email));
    expect(message).toBeDefined();
    const text = textOf(message?.raw ?? '');
    expect(text).not.toContain('evil.example');
    const link = linkIn(text);
    expect(link).toMatch(/^https:\/\/clinic\.example\/reset-password#token=[A-Za-z0-9_-]{43}$/);

    // What the reset page does: read the token from the fragment (never sent to a server).
    const token = new URLSearchParams(new URL(link as string).hash.slice(1)).get('token');
    const newPassword = 'una-clave-del-correo-2026';
    const done = await app.inject({
      method: 'POST',
      url: '/v1/auth/password/reset',
      payload: { token, newPassword },
    });
    expect(done.statusCode).toBe(200);
    expect((await loginWith(app, p.dni, newPassword)).statusCode).toBe(200);
    expect((await loginWith(app, p.dni, p.password)).statusCode).toBe(401);

    await app.mailer.flush();
    const notice = inbox.filter((m) => m.to.includes(p.email) && textOf(m.raw).includes('Your password was changed'));
    expect(notice).toHaveLength(1);
    expect(linkIn(textOf(notice[0]?.raw ?? ''))).toBeUndefined();
  });

  it('the 202 does not depend on the mail server: a dead SMTP server changes nothing for the caller (PR-1)', async () => {
    const dead = await buildTestApp({
      db: api.db,
      env: { SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_WEB_ORIGIN: 'https://clinic.example' },
    });
    try {
      const p = await createPatient(api.db.db);
      const res = await dead.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: p.email } });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'accepted' });
      await dead.mailer.flush();
    } finally {
      await dead.close();
    }
  });
});

describe('file transport (no SMTP_URL)', () => {
  it('writes the message with the link as an .eml file into DATA_DIR/mail', async () => {
    const app = await buildTestApp({ db: api.db, env: { PUBLIC_WEB_ORIGIN: 'https://clinic.example' } });
    try {
      expect(app.mailer.kind).toBe('file');
      const p = await createPatient(api.db.db);
      const res = await app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: p.email } });
      expect(res.statusCode).toBe(202);
      await app.mailer.flush();
      const folder = path.join(app.config.dataDir, 'mail');
      const files = readdirSync(folder).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const raw = readFileSync(path.join(folder, files[0] as string), 'utf8');
      expect(raw).toMatch(new RegExp(`^To: ${p.email.replace('.', '\\.')}$`, 'im'));
      expect(linkIn(textOf(raw))).toMatch(/^https:\/\/clinic\.example\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    } finally {
      await app.close();
    }
  });
});

describe('sendAfterCommit', () => {
  it('sends once the transaction commits, and nothing when it rolls back', async () => {
    const mailer = createMemoryMailer();
    const log = { warn: () => {} } as unknown as FastifyInstance['log'];
    const message = { to: 'a@b.example', subject: 's', text: 't' };
    await withTransaction(api.db.db, async (tx) => {
      await sendAfterCommit({ mailer, log }, tx, message, 'test');
      expect(mailer.messages).toHaveLength(0);
    });
    await mailer.flush();
    expect(mailer.messages).toHaveLength(1);
    await expect(
      withTransaction(api.db.db, async (tx) => {
        await sendAfterCommit({ mailer, log }, tx, message, 'test');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await mailer.flush();
    expect(mailer.messages).toHaveLength(1);
  });
});
