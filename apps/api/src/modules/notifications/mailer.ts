/**
 * Outgoing e-mail through nodemailer: SMTP when `SMTP_URL` is set; otherwise every message is
 * written as an `.eml` file into `DATA_DIR/mail/` (that is how a developer or tester reads a
 * password-reset link without a mail server). Sending never blocks a response: callers queue
 * after commit (`sendAfterCommit`) and failures are logged, not thrown at the user.
 *
 * Sends still in flight are tracked so that `flush()` (tests) and `close()` (graceful shutdown)
 * can wait for them: a reset link queued just before SIGTERM is delivered, not dropped.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Config } from '../../config/index.js';
import type { Executor } from '../../db/client.js';
import { afterCommit } from '../../db/transaction.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'file' | 'memory';
  send(message: MailMessage): Promise<void>;
  /** Resolves once every send started so far has finished (delivered or failed). */
  flush(): Promise<void>;
  /** Waits (bounded) for in-flight sends, then releases the transport. */
  close(): Promise<void>;
}

/** How long shutdown waits for in-flight sends before dropping them. */
const CLOSE_GRACE_MS = 5_000;
// SMTP runs in the background, but a server that accepts and never answers must not hold a
// socket (and the message) for nodemailer's default of minutes.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Wraps a raw send function with in-flight tracking, flush and graceful close. */
function tracked(kind: Mailer['kind'], deliver: (m: MailMessage) => Promise<void>, release: () => void): Mailer {
  const inFlight = new Set<Promise<void>>();
  const settled = () => Promise.allSettled([...inFlight]).then(() => undefined);
  return {
    kind,
    send(message) {
      const sending = deliver(message);
      const entry = sending.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(entry);
      void entry.then(() => inFlight.delete(entry));
      return sending;
    },
    flush: settled,
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      await Promise.race([settled(), grace]);
      clearTimeout(timer);
      release();
    },
  };
}

/**
 * nodemailer is imported on the first message, not at start: it is ≈ 10 MB of resident memory that
 * an idle server (budget < 150 MB) and most requests never need.
 */
function lazyTransport(create: (nm: typeof import('nodemailer')) => Transporter) {
  let transport: Promise<Transporter> | null = null;
  return {
    get: () => {
      transport ??= import('nodemailer').then((m) => create((m.default ?? m) as typeof import('nodemailer')));
      return transport;
    },
    release: () => {
      void transport?.then((t) => t.close());
    },
  };
}

export function createMailer(config: Config): Mailer {
  if (config.mail.smtpUrl) {
    const smtpUrl = config.mail.smtpUrl;
    const smtp = lazyTransport((nm) =>
      nm.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }, { from: config.mail.from }),
    );
    return tracked(
      'smtp',
      async (message) => {
        await (await smtp.get()).sendMail({ from: config.mail.from, ...message });
      },
      smtp.release,
    );
  }
  const folder = path.join(config.dataDir, 'mail');
  const files = lazyTransport((nm) => nm.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }));
  return tracked(
    'file',
    async (message) => {
      const info = await (await files.get()).sendMail({ from: config.mail.from, ...message });
      await mkdir(folder, { recursive: true, mode: 0o700 });
      // ISO stamp first so `ls` lists the newest message last.
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await writeFile(path.join(folder, `${stamp}-${randomUUID().slice(0, 8)}.eml`), info.message as Buffer, {
        mode: 0o600,
      });
    },
    files.release,
  );
}

/** A mailer that keeps messages in memory: for tests of modules that send mail. */
export function createMemoryMailer(): Mailer & { readonly messages: MailMessage[] } {
  const messages: MailMessage[] = [];
  const mailer = tracked(
    'memory',
    async (message) => {
      messages.push({ ...message });
    },
    () => {},
  );
  return Object.assign(mailer, { messages });
}

/**
 * Sends `message` once `tx` commits (nothing is sent if it rolls back), without making the
 * caller wait for delivery: a slow or dead SMTP server never delays or fails a response (PR-1).
 */
export async function sendAfterCommit(
  // The logger structurally (Fastify's and pino's fit): this module stays free of HTTP types.
  deps: { mailer: Mailer; log: { warn(obj: object, msg: string): void } },
  tx: Executor,
  message: MailMessage,
  what: string,
): Promise<void> {
  await afterCommit(tx, () => {
    deps.mailer.send(message).catch((err: unknown) => deps.log.warn({ err, mail: what }, 'e-mail not sent'));
  });
}
