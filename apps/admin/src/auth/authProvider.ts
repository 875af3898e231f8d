/**
 * react-admin's auth provider over /v1/auth: password sign-in with the refresh token as an HttpOnly
 * cookie, the MFA step, silent refresh (before expiry, on a 401 and after a reload), sign-out and
 * sign-out everywhere. Only staff may use the back-office: a patient who signs in here is signed out
 * at once (their session revoked) and told this is the clinic staff's site.
 */
import type { AuthProvider, UserIdentity } from 'react-admin';
import { HttpError } from 'react-admin';
import { session as defaultSession, type Session } from '../api/client';
import { toHttpError, unwrap } from '../api/problem';
import { canAccess, type Role, STAFF_ROLES } from './permissions';

export interface StaffUser {
  id: number;
  name: string;
  email: string;
  roles: Role[];
  mfaEnabled: boolean;
  username?: string;
}

/** Thrown by `login` when the password was right and a second factor is needed. */
export class MfaRequiredError extends Error {
  constructor(
    readonly mfaToken: string,
    readonly expiresIn: number,
  ) {
    super('dfy.auth.mfa_required');
    this.name = 'MfaRequiredError';
  }
}

export type LoginParams =
  | { identifier: string; password: string }
  | { mfaToken: string; code: string }
  | { mfaToken: string; recoveryCode: string };

interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
  user: {
    id: number;
    kind: 'patient' | 'staff';
    name: string;
    surname?: string | null;
    email: string;
    roles: string[];
  };
}

export interface DiabetifyAuthProvider extends AuthProvider {
  /** Revokes every session of the signed-in user, this one included. */
  logoutEverywhere(): Promise<number>;
  /** The signed-in staff member, or null. */
  currentUser(): StaffUser | null;
}

const PATIENT_REFUSED = 'dfy.auth.patient_refused';

export function createAuthProvider(session: Session = defaultSession): DiabetifyAuthProvider {
  let user: StaffUser | null = null;
  // react-admin asks checkAuth, getPermissions and canAccess at once on a signed-out first load:
  // one refresh attempt answers them all until the next sign-in.
  let knownSignedOut = false;
  session.onExpired(() => {
    user = null;
  });

  /** Ends a session we must not keep (a patient's) without letting its failure hide the refusal. */
  async function revokeQuietly() {
    try {
      await session.client.POST('/v1/auth/logout');
    } catch {
      // The token expires on its own within minutes; the refusal message matters more.
    }
    session.clear();
  }

  async function accept(answer: TokenAnswer) {
    knownSignedOut = false;
    session.setTokens(answer);
    if (answer.user.kind !== 'staff') {
      await revokeQuietly();
      throw new HttpError(PATIENT_REFUSED, 403, { code: 'patient_refused' });
    }
    user = {
      id: answer.user.id,
      name: answer.user.name,
      email: answer.user.email,
      roles: answer.user.roles.filter((r): r is Role => (STAFF_ROLES as readonly string[]).includes(r)),
      mfaEnabled: false,
    };
    // The login answer has no username nor MFA state; /v1/me has both.
    await loadMe().catch(() => undefined);
  }

  async function loadMe(): Promise<StaffUser> {
    const me = unwrap(await session.client.GET('/v1/me'));
    if (me.kind !== 'staff') {
      await revokeQuietly();
      user = null;
      throw new HttpError(PATIENT_REFUSED, 403, { code: 'patient_refused' });
    }
    user = {
      id: me.id,
      name: me.name,
      email: me.email,
      roles: me.roles,
      mfaEnabled: me.mfaEnabled,
      username: me.username,
    };
    return user;
  }

  /** A reload has no access token in memory: the refresh cookie may still hold a session. */
  let restoring: Promise<StaffUser> | null = null;

  /** The signed-in user; after a reload, one refresh and one /v1/me shared by every caller. */
  function ensureSession(): Promise<StaffUser> {
    if (session.accessToken() && user) return Promise.resolve(user);
    restoring ??= (async () => {
      if (!session.accessToken()) {
        if (knownSignedOut || !(await session.refresh())) {
          knownSignedOut = true;
          throw new Error('dfy.auth.signed_out');
        }
      }
      return loadMe();
    })().finally(() => {
      restoring = null;
    });
    return restoring;
  }

  return {
    async login(params: LoginParams) {
      if ('identifier' in params) {
        const result = await session.client.POST('/v1/auth/login', {
          body: { identifier: params.identifier, password: params.password, cookie: true },
        });
        if (!result.data) throw toHttpError(result.error, result.response);
        const answer = result.data;
        if ('mfaRequired' in answer) throw new MfaRequiredError(answer.mfaToken, answer.expiresIn);
        await accept(answer);
        return { redirectTo: '/' };
      }
      const body =
        'code' in params
          ? { mfaToken: params.mfaToken, code: params.code, cookie: true }
          : { mfaToken: params.mfaToken, recoveryCode: params.recoveryCode, cookie: true };
      const result = await session.client.POST('/v1/auth/mfa/verify', { body });
      await accept(unwrap(result) as TokenAnswer);
      return { redirectTo: '/' };
    },

    async logout() {
      if (session.accessToken()) await session.client.POST('/v1/auth/logout').catch(() => undefined);
      session.clear();
      user = null;
    },

    async checkAuth() {
      await ensureSession();
    },

    async checkError(error: { status?: number }) {
      // The client already refreshed once and retried: a 401 here means the session is over.
      if (error?.status === 401) {
        session.clear();
        user = null;
        throw new Error('dfy.auth.session_expired');
      }
    },

    async getIdentity(): Promise<UserIdentity> {
      const me = await ensureSession();
      return { ...me, fullName: me.name };
    },

    async getPermissions() {
      const me = await ensureSession().catch(() => null);
      return me?.roles ?? [];
    },

    async canAccess({ resource, action }) {
      const me = await ensureSession().catch(() => null);
      return me ? canAccess(me.roles, resource, action) : false;
    },

    async logoutEverywhere() {
      const { revoked } = unwrap(await session.client.POST('/v1/auth/logout-all'));
      session.clear();
      user = null;
      return revoked;
    },

    currentUser: () => user,
  };
}

export const authProvider = createAuthProvider();
