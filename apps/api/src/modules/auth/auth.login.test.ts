import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { bearer, buildTestApp } from '../../../test/build-test-app.js';
import { createPatient, createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, credentials } from '../../db/schema/index.js';

const api = useTestApp();

const login = (identifier: string, password: string) =>
  api.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password } });

describe('login', () => {
  it('a patient signs in with DNI or e-mail and gets an app-audience token pair', async () => {
    const p = await createPatient(api.db.db);
    for (const identifier of [
      p.dni,
      p.email.toUpperCase(),
      ` ${p.dni.slice(0, 2)}.${p.dni.slice(2, 5)}.${p.dni.slice(5)} `,
    ]) {
      const res = await login(identifier, p.password);
      expect(res.statusCode, identifier).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 900,
        user: { id: p.id, kind: 'patient', roles: ['patient'] },
      });
      expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const me = await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(body.accessToken) });
      expect(me.statusCode).toBe(200);
    }
  });

  it('unknown user and wrong password answer the same 401 body, and both are audited', async () => {
    const s = await createStaff(api.db.db);
    const wrong = await login(s.username, 'not-the-password');
    const unknown = await login('nobody-here', 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    const rows = await api.db.db.select().from(auditEvents).where(eq(auditEvents.action, 'auth.login'));
    expect(rows.filter((r) => r.outcome === 'failure').length).toBeGreaterThanOrEqual(2);
  });

  it('a legacy SHA-256 hash is upgraded to argon2id on the first successful login', async () => {
    const p = await createPatient(api.db.db, { legacySha256: true, password: 'viejo-secreto-99' });
    expect(p.credential.passwordAlgo).toBe('legacy_sha256');
    expect((await login(p.dni, 'viejo-secreto-99')).statusCode).toBe(200);
    const [after] = await api.db.db.select().from(credentials).where(eq(credentials.id, p.credential.id));
    expect(after?.passwordAlgo).toBe('argon2id');
    expect(after?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(p.dni, 'viejo-secreto-99')).statusCode).toBe(200);
  });
});

describe('refresh rotation', () => {
  it('rotates, replays within grace return the same successor, later reuse revokes the family', async () => {
    const p = await createPatient(api.db.db);
    const first = (await login(p.dni, p.password)).json();
    const refresh = (token: string) =>
      api.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: token } });
    const r1 = await refresh(first.refreshToken);
    expect(r1.statusCode).toBe(200);
    const r1again = await refresh(first.refreshToken);
    expect(r1again.statusCode).toBe(200);
    expect(r1again.json().refreshToken).toBe(r1.json().refreshToken);
    const r2 = await refresh(r1.json().refreshToken);
    expect(r2.statusCode).toBe(200);
    // Replaying the first token after its successor was itself rotated is reuse.
    const reuse = await refresh(first.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect((await refresh(r2.json().refreshToken)).statusCode).toBe(401);
    const denied = await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(r2.json().accessToken) });
    expect(denied.statusCode).toBe(401);
    expect(denied.json().code).toBe('session_revoked');
  });

  it('logout ends the session for its access and refresh tokens', async () => {
    const p = await createPatient(api.db.db);
    const t = (await login(p.dni, p.password)).json();
    const out = await api.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(t.accessToken) });
    expect(out.json()).toEqual({ revoked: 1 });
    expect((await api.app.inject({ url: '/v1/auth/sessions', headers: bearer(t.accessToken) })).statusCode).toBe(401);
    const r = await api.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: t.refreshToken },
    });
    expect(r.statusCode).toBe(401);
  });
});

describe('browser refresh cookie (RT-8)', () => {
  const ORIGIN = 'https://admin.clinic.example';

  /** A new staff member signs in on `app` asking for the refresh token as a cookie. */
  const cookieLogin = async (app: FastifyInstance) => {
    const s = await createStaff(api.db.db);
    return app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: s.username, password: s.password, cookie: true },
    });
  };

  it('login with cookie:true sets a __Host- HttpOnly Secure SameSite=Strict cookie and no body token; refresh needs an allowed Origin', async () => {
    const browserApp = await buildTestApp({ db: api.db, env: { CORS_ORIGINS: ORIGIN } });
    try {
      const res = await cookieLogin(browserApp);
      expect(res.statusCode).toBe(200);
      expect(res.json().refreshToken).toBeUndefined();
      const setCookie = String(res.headers['set-cookie']);
      expect(setCookie).toMatch(/^__Host-diabetify_rt=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/Secure/);
      expect(setCookie).toMatch(/SameSite=Strict/);
      expect(setCookie).toMatch(/Path=\//);
      const cookie = setCookie.split(';')[0] as string;

      const noOrigin = await browserApp.inject({ method: 'POST', url: '/v1/auth/refresh', headers: { cookie } });
      expect(noOrigin.statusCode).toBe(403);
      const evil = await browserApp.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        headers: { cookie, origin: 'https://evil.example' },
      });
      expect(evil.statusCode).toBe(403);
      const ok = await browserApp.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        headers: { cookie, origin: ORIGIN },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().refreshToken).toBeUndefined();
      expect(String(ok.headers['set-cookie'])).toMatch(/^__Host-diabetify_rt=/);
      expect(String(ok.headers['set-cookie']).split(';')[0]).not.toBe(cookie);
    } finally {
      await browserApp.close();
    }
  });

  it('the back-office the server serves itself (PUBLIC_WEB_ORIGIN) may refresh by cookie without being in CORS_ORIGINS', async () => {
    const own = 'https://clinic.example';
    const selfServed = await buildTestApp({
      db: api.db,
      env: { PUBLIC_WEB_ORIGIN: `${own}/`, CORS_ORIGINS: undefined },
    });
    try {
      const res = await cookieLogin(selfServed);
      let cookie = String(res.headers['set-cookie']).split(';')[0] as string;
      // inject addresses the app as localhost:80; each success rotates the cookie.
      const refresh = async (origin: string) => {
        const r = await selfServed.inject({
          method: 'POST',
          url: '/v1/auth/refresh',
          headers: { cookie, origin, host: 'localhost:80' },
        });
        if (r.statusCode === 200) cookie = String(r.headers['set-cookie']).split(';')[0] as string;
        return r;
      };
      expect((await refresh('https://clinic.example.evil.example')).statusCode).toBe(403);
      expect((await refresh('http://evil.example')).statusCode).toBe(403);
      const ok = await refresh(own);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
      // The same page opened by another name of this server (127.0.0.1 instead of localhost): the
      // Origin names the host the request was addressed to.
      const sameHost = await refresh('http://localhost:80');
      expect(sameHost.statusCode, sameHost.body).toBe(200);
    } finally {
      await selfServed.close();
    }
  });

  it('a refreshed access token keeps the session authentication methods', async () => {
    const p = await createPatient(api.db.db);
    const first = (await login(p.dni, p.password)).json();
    const next = await api.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    const claims = await api.app.keys.verify(next.json().accessToken, ['diabetify-app'], api.app.clock.now());
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.sessionId).toBeTruthy();
  });
});
