import { describe, expect, it } from 'vitest';
import { createSession, refreshDelayMs } from '../api/client';
import { fakeApi, json } from '../test/fakeApi';
import { createAuthProvider, MfaRequiredError } from './authProvider';

const staffUser = {
  id: 5,
  kind: 'staff',
  name: 'Dra. Ruiz',
  surname: null,
  email: 'ruiz@clinic.test',
  roles: ['clinician'],
  mfaEnabled: false,
};
const staffMe = {
  kind: 'staff',
  id: 5,
  username: 'ruiz',
  email: 'ruiz@clinic.test',
  name: 'Dra. Ruiz',
  roles: ['clinician'],
  mfaEnabled: false,
};
const tokens = (accessToken: string, user: object = staffUser) => ({
  accessToken,
  expiresIn: 900,
  tokenType: 'Bearer',
  user,
});

function setup() {
  const api = fakeApi();
  const timers: { fn: () => void; ms: number }[] = [];
  const session = createSession({
    fetch: api.fetch,
    baseUrl: 'http://localhost',
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  });
  api.on('GET', '/v1/me', (call) =>
    call.headers.get('authorization') ? json(200, staffMe) : json(401, { code: 'unauthorized', status: 401 }),
  );
  return { api, session, timers, auth: createAuthProvider(session) };
}

describe('auth provider', () => {
  it('signs in with cookie: true, keeps the access token in memory only, reads roles as permissions', async () => {
    const { api, auth, session, timers } = setup();
    api.on('POST', '/v1/auth/login', () => json(200, tokens('at-1')));
    await auth.login({ identifier: 'ruiz', password: 'secret' });
    const login = api.calls.find((c) => c.path === '/v1/auth/login');
    expect(login?.body).toEqual({ identifier: 'ruiz', password: 'secret', cookie: true });
    expect(login?.headers.get('authorization')).toBeNull();
    expect(session.accessToken()).toBe('at-1');
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
    expect(await auth.getPermissions?.({})).toEqual(['clinician']);
    expect((await auth.getIdentity?.())?.fullName).toBe('Dra. Ruiz');
    // Silent refresh scheduled before the 900 s token expires.
    expect(timers.at(-1)?.ms).toBe(refreshDelayMs(900));
    expect(refreshDelayMs(900)).toBe(840_000);
    expect(refreshDelayMs(20)).toBe(14_000);
  });

  it('asks for the second factor, then verifies a code or a recovery code', async () => {
    const { api, auth, session } = setup();
    api.on('POST', '/v1/auth/login', () => json(200, { mfaRequired: true, mfaToken: 'm'.repeat(30), expiresIn: 300 }));
    api.on('POST', '/v1/auth/mfa/verify', () => json(200, tokens('at-mfa')));
    const err = await auth.login({ identifier: 'ruiz', password: 'secret' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MfaRequiredError);
    expect(session.accessToken()).toBeNull();
    await auth.login({ mfaToken: (err as MfaRequiredError).mfaToken, recoveryCode: 'abcd-efgh' });
    const verify = api.calls.find((c) => c.path === '/v1/auth/mfa/verify');
    expect(verify?.body).toEqual({ mfaToken: 'm'.repeat(30), recoveryCode: 'abcd-efgh', cookie: true });
    expect(session.accessToken()).toBe('at-mfa');
  });

  it('refuses a patient: signs them out at once and says this is the staff site', async () => {
    const { api, auth, session } = setup();
    api.on('POST', '/v1/auth/login', () =>
      json(200, tokens('at-patient', { ...staffUser, kind: 'patient', roles: ['patient'] })),
    );
    api.on('POST', '/v1/auth/logout', () => json(200, { revoked: 1 }));
    const err = await auth.login({ identifier: '30111222', password: 'secret' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'dfy.auth.patient_refused', status: 403 });
    const logout = api.calls.find((c) => c.path === '/v1/auth/logout');
    expect(logout?.headers.get('authorization')).toBe('Bearer at-patient');
    expect(session.accessToken()).toBeNull();
  });

  it('names locked, blocked and rate-limited refusals', async () => {
    const { api, auth } = setup();
    api.on('POST', '/v1/auth/login', () =>
      json(429, { status: 429, code: 'login_locked', title: 'Too many failed attempts' }, { 'retry-after': '600' }),
    );
    expect(await auth.login({ identifier: 'x', password: 'y' }).catch((e: unknown) => e)).toMatchObject({
      message: 'dfy.errors.login_locked',
      status: 429,
      body: { retryAfter: 600 },
    });
    api.on('POST', '/v1/auth/login', () => json(403, { status: 403, code: 'account_blocked' }));
    expect(await auth.login({ identifier: 'x', password: 'y' }).catch((e: unknown) => e)).toMatchObject({
      message: 'dfy.errors.account_blocked',
    });
    api.on('POST', '/v1/auth/login', () => json(429, { status: 429, code: 'rate_limited' }));
    expect(await auth.login({ identifier: 'x', password: 'y' }).catch((e: unknown) => e)).toMatchObject({
      message: 'dfy.errors.rate_limited',
    });
    api.on('POST', '/v1/auth/login', () => json(401, { status: 401, code: 'invalid_credentials' }));
    expect(await auth.login({ identifier: 'x', password: 'y' }).catch((e: unknown) => e)).toMatchObject({
      message: 'dfy.errors.invalid_credentials',
    });
  });

  it('on a 401 refreshes once with the cookie and retries the request with the new token', async () => {
    const { api, auth, session } = setup();
    api.on('POST', '/v1/auth/login', () => json(200, tokens('old')));
    await auth.login({ identifier: 'ruiz', password: 'secret' });
    api.on('POST', '/v1/auth/refresh', () => json(200, { accessToken: 'new', expiresIn: 900, tokenType: 'Bearer' }));
    api.on('GET', '/v1/patients', (call) =>
      call.headers.get('authorization') === 'Bearer new'
        ? json(200, { data: [], total: 0 })
        : json(401, { status: 401, code: 'invalid_token' }),
    );
    const before = api.calls.length;
    const { data, response } = await session.client.GET('/v1/patients', { params: { query: {} } });
    expect(response.status).toBe(200);
    expect(data).toEqual({ data: [], total: 0 });
    expect(api.calls.slice(before).map((c) => `${c.method} ${c.path} ${c.headers.get('authorization')}`)).toEqual([
      'GET /v1/patients Bearer old',
      'POST /v1/auth/refresh null',
      'GET /v1/patients Bearer new',
    ]);
    expect(session.accessToken()).toBe('new');
  });

  it('concurrent 401s share one refresh', async () => {
    const { api, session } = setup();
    session.setTokens({ accessToken: 'old', expiresIn: 900 });
    let refreshes = 0;
    api.on('POST', '/v1/auth/refresh', async () => {
      refreshes++;
      await new Promise((r) => setTimeout(r, 10));
      return json(200, { accessToken: 'new', expiresIn: 900, tokenType: 'Bearer' });
    });
    api.on('GET', '/v1/patients', (call) =>
      call.headers.get('authorization') === 'Bearer new'
        ? json(200, { data: [], total: 0 })
        : json(401, { status: 401 }),
    );
    const results = await Promise.all(
      [1, 2, 3].map(() => session.client.GET('/v1/patients', { params: { query: {} } })),
    );
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it('a failed refresh ends the session: checkAuth and checkError reject', async () => {
    const { api, auth, session } = setup();
    api.on('POST', '/v1/auth/refresh', () => json(401, { status: 401, code: 'invalid_grant' }));
    await expect(auth.checkAuth({})).rejects.toThrow('dfy.auth.signed_out');
    session.setTokens({ accessToken: 'old', expiresIn: 900 });
    api.on('GET', '/v1/patients', () => json(401, { status: 401 }));
    const { response } = await session.client.GET('/v1/patients', { params: { query: {} } });
    expect(response.status).toBe(401);
    expect(session.accessToken()).toBeNull();
    await expect(auth.checkError({ status: 401 })).rejects.toThrow('dfy.auth.session_expired');
    await expect(auth.checkError({ status: 403 })).resolves.toBeUndefined();
  });

  it('after a reload (no token in memory) checkAuth restores the session from the refresh cookie', async () => {
    const { api, auth, session } = setup();
    api.on('POST', '/v1/auth/refresh', () =>
      json(200, { accessToken: 'from-cookie', expiresIn: 20, tokenType: 'Bearer' }),
    );
    await auth.checkAuth({});
    expect(session.accessToken()).toBe('from-cookie');
    expect(await auth.getPermissions?.({})).toEqual(['clinician']);
  });

  it('the scheduled silent refresh replaces the token before it expires', async () => {
    const { api, auth, session, timers } = setup();
    api.on('POST', '/v1/auth/login', () => json(200, { ...tokens('first'), expiresIn: 20 }));
    api.on('POST', '/v1/auth/refresh', () => json(200, { accessToken: 'second', expiresIn: 20, tokenType: 'Bearer' }));
    await auth.login({ identifier: 'ruiz', password: 'secret' });
    timers.at(-1)?.fn();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(session.accessToken()).toBe('second');
  });

  it('logout revokes the session; sign out everywhere calls logout-all', async () => {
    const { api, auth, session } = setup();
    api.on('POST', '/v1/auth/login', () => json(200, tokens('at-1')));
    api.on('POST', '/v1/auth/logout', () => json(200, { revoked: 1 }));
    api.on('POST', '/v1/auth/logout-all', () => json(200, { revoked: 3 }));
    await auth.login({ identifier: 'ruiz', password: 'secret' });
    expect(await auth.logoutEverywhere()).toBe(3);
    expect(session.accessToken()).toBeNull();
    await auth.login({ identifier: 'ruiz', password: 'secret' });
    await auth.logout({});
    expect(api.calls.filter((c) => c.path === '/v1/auth/logout')).toHaveLength(1);
    expect(session.accessToken()).toBeNull();
  });
});
