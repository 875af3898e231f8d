/**
 * The back-office (apps/admin, a Vite build) served at `/admin/` by this server: same origin as
 * `/v1`, so the SameSite=Strict refresh cookie and `connect-src 'self'` work without CORS.
 *
 * - `/admin/<file>` serves the file; hashed assets (`/admin/assets/…`, names change with content)
 *   are `immutable`; anything else revalidates.
 * - Any other `/admin/…` path serves index.html (client-side routes: deep links and reloads),
 *   with a per-request CSP nonce: MUI/emotion inject <style> elements at run time, and emotion
 *   stamps them with the nonce it reads from `<meta property="csp-nonce" content="…">`.
 *   A missing `/admin/assets/…` file is a 404, not index.html: a stale tab asking for an old chunk
 *   must fail visibly instead of parsing HTML as JavaScript.
 * - No build (index.html absent): a 503 page naming the command that builds it; checked per
 *   request, so a build made while the server runs is picked up without a restart.
 * - `/` and the e-mailed password links (`/reset-password`, `/set-password`) redirect into the app;
 *   the browser carries the `#token=…` fragment across the redirect, the query is kept here.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** apps/admin/dist seen from apps/api/{src,dist}/plugins/: the same path compiled or under tsx. */
export const DEFAULT_ADMIN_DIST = fileURLToPath(new URL('../../../admin/dist/', import.meta.url));

export const ADMIN_PREFIX = '/admin/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** The CSP of the back-office pages: nothing inline but nonce-stamped styles, nothing from elsewhere. */
export function adminCsp(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * index.html with the nonce: an existing csp-nonce meta (or Vite's `html.cspNonce` placeholder)
 * gets the value, otherwise the meta is added at the top of <head>.
 */
export function withNonce(html: string, nonce: string): string {
  const meta = `<meta property="csp-nonce" content="${escapeAttr(nonce)}">`;
  const existing = /<meta\s+property=["']csp-nonce["'][^>]*>/i;
  let out = existing.test(html) ? html.replace(existing, meta) : html.replace(/<head([^>]*)>/i, `<head$1>${meta}`);
  out = out.replaceAll('__CSP_NONCE__', nonce);
  return out;
}

/**
 * index.html announcing the clinic's timezone (`CLINIC_TIMEZONE`): the back-office shows every date
 * and time on the clinic's clock, and the API has no route that says which clock that is.
 */
export function withClinicTimezone(html: string, timezone: string): string {
  const meta = `<meta name="diabetify-clinic-timezone" content="${escapeAttr(timezone)}">`;
  return html.replace(/<head([^>]*)>/i, `<head$1>${meta}`);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Diabetify back-office not built</title></head>
<body><h1>The back-office has not been built</h1>
<p>Build it with <code>npm run build:admin</code> (or start the server with <code>npm start</code>,
which builds it when needed), then reload this page.</p>
<p>The API itself is running: see <a href="/docs">/docs</a>.</p></body></html>
`;

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export interface AdminUiOptions {
  /** The build folder; default `config.http.adminDistDir`, else apps/admin/dist. */
  root?: string;
}

export default fp<AdminUiOptions>(
  async function adminUi(app: FastifyInstance, options: AdminUiOptions) {
    const root = path.resolve(options.root ?? app.config.http.adminDistDir ?? DEFAULT_ADMIN_DIST);
    const indexFile = path.join(root, 'index.html');
    if (!(await isFile(indexFile))) {
      app.log.warn({ root }, 'back-office build not found: /admin/ answers 503 until `npm run build:admin` runs');
    }

    // Encapsulated: reply.sendFile stays local (swagger-ui registers its own copy of the plugin).
    await app.register(async (scope) => {
      await scope.register(fastifyStatic, { root, serve: false, cacheControl: false, index: false, dotfiles: 'deny' });

      const sendIndex = async (reply: FastifyReply) => {
        let html: string;
        try {
          html = await readFile(indexFile, 'utf8');
        } catch {
          return reply
            .code(503)
            .header('cache-control', 'no-store')
            .header('retry-after', '30')
            .type('text/html; charset=utf-8')
            .send(NOT_BUILT_PAGE);
        }
        const nonce = randomBytes(18).toString('base64');
        return reply
          .header('content-security-policy', adminCsp(nonce))
          .header('cache-control', REVALIDATE)
          .type('text/html; charset=utf-8')
          .send(withClinicTimezone(withNonce(html, nonce), app.config.clinic.timezone));
      };

      const serve = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
        const rel = request.params['*'] ?? '';
        // Only plain relative paths reach the disk; send() also refuses to leave root.
        const safe = rel !== '' && !rel.split('/').some((part) => part === '..' || part.startsWith('.'));
        if (safe && rel !== 'index.html' && (await isFile(path.join(root, rel)))) {
          // Files keep the global `default-src 'none'` CSP: they are resources, not pages.
          reply.header('cache-control', rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
          return reply.sendFile(rel, root);
        }
        if (rel.startsWith('assets/')) return reply.callNotFound();
        return sendIndex(reply);
      };

      scope.get('/admin/*', { config: { auth: 'public' }, schema: { hide: true } }, serve);
    });

    app.get('/admin', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.redirect(ADMIN_PREFIX, 302),
    );
    app.get('/', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.redirect(ADMIN_PREFIX, 302),
    );
    // The links the API e-mails: `${PUBLIC_WEB_ORIGIN}/reset-password#token=…` (legacy form `?token=`).
    for (const page of ['reset-password', 'set-password']) {
      app.get(`/${page}`, { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
        const query = request.url.indexOf('?');
        return reply.redirect(`${ADMIN_PREFIX}${page}${query >= 0 ? request.url.slice(query) : ''}`, 302);
      });
    }
  },
  { name: 'admin-ui', dependencies: ['context'] },
);
