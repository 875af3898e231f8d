/**
 * A real SMTP server in the test process, so mail tests exercise the actual SMTP exchange. Call
 * `useSmtpInbox()` at top level, before `useTestApp({ env: () => ({ SMTP_URL: inbox.url }) })`:
 * the server must be listening before the app reads its port.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';

export interface Received {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpInbox {
  /** Every message received, in arrival order. */
  readonly messages: Received[];
  readonly port: number;
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  readonly url: string;
}

export function useSmtpInbox(): SmtpInbox {
  const messages: Received[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  beforeAll(async () => {
    const smtp = new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback: no certificate to provision in a test.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    server = smtp;
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  return {
    messages,
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
  };
}
