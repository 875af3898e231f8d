/**
 * Outgoing e-mail through nodemailer: SMTP when `SMTP_URL` is set; otherwise every message is
 * written as an `.eml` file into `DATA_DIR/mail/` (that is how a developer or tester reads a
 * password-reset link without a mail server). Sending never blocks a response: callers queue
 * after commit and failures are logged, not thrown at the user.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'file';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function createMailer(config: Config): Mailer {
  if (config.mail.smtpUrl) {
    const transport: Transporter = nodemailer.createTransport(config.mail.smtpUrl, { from: config.mail.from });
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail({ from: config.mail.from, ...message });
      },
      close: () => transport.close(),
    };
  }
  const folder = path.join(config.dataDir, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(message) {
      const info = await transport.sendMail({ from: config.mail.from, ...message });
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      writeFileSync(path.join(folder, `${stamp}-${randomUUID().slice(0, 8)}.eml`), info.message as Buffer, {
        mode: 0o600,
      });
    },
    close: () => transport.close(),
  };
}
