/**
 * The typed API client (openapi-fetch over the server's own OpenAPI types) and the session it
 * carries.
 *
 * Security model (api.md, security.md): the access token lives in this module's memory only — never
 * localStorage/sessionStorage, so an injected script cannot lift a long-lived copy — and the refresh
 * token is an HttpOnly cookie the browser sends to /v1/auth/refresh by itself. A reload therefore
 * starts without an access token and gets one from the cookie (see `refresh`).
 */
import type { paths } from '@diabetify/contracts/openapi';
import createClient, { type Client, type Middleware } from 'openapi-fetch';

export type ApiClient = Client<paths>;

/** Routes that must never carry the bearer nor trigger a refresh-and-retry (they are the refresh). */
const UNAUTHENTICATED = /^\/v1\/auth\/(login|refresh|mfa\/verify|password\/forgot|password\/reset)$/;

/** A minute before the token expires; for short lifetimes (tests use 20 s), at 70 % of it. */
export function refreshDelayMs(expiresInSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  return Math.max(1000, lifetime > 120_000 ? lifetime - 60_000 : lifetime * 0.7);
}

export interface SessionOptions {
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Injected so tests can drive the silent refresh without waiting. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface Session {
  readonly client: ApiClient;
  /** The current access token, or null when signed out (or after a reload, before a refresh). */
  accessToken(): string | null;
  /** Stores a token pair's access half and schedules the silent refresh before `expiresIn`. */
  setTokens(tokens: { accessToken: string; expiresIn: number }): void;
  clear(): void;
  /** Exchanges the refresh cookie for a new access token; concurrent callers share one request. */
  refresh(): Promise<boolean>;
  /** Called when a refresh fails: the session is over (react-admin then shows the sign-in page). */
  onExpired(listener: () => void): () => void;
}

export function createSession(options: SessionOptions = {}): Session {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let token: string | null = null;
  let timer: unknown = null;
  let inFlight: Promise<boolean> | null = null;
  const expiredListeners = new Set<() => void>();
  // The body of each outgoing request, kept so a 401 can be retried once after a refresh.
  const pending = new WeakMap<Request, Request>();

  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    fetch: fetchImpl,
    credentials: 'same-origin',
  });

  function cancelTimer() {
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  const session: Session = {
    client,
    accessToken: () => token,
    setTokens(tokens) {
      token = tokens.accessToken;
      cancelTimer();
      timer = setTimer(() => void session.refresh(), refreshDelayMs(tokens.expiresIn));
    },
    clear() {
      token = null;
      cancelTimer();
    },
    refresh() {
      inFlight ??= (async () => {
        try {
          const { data } = await client.POST('/v1/auth/refresh', { body: {} });
          if (!data) {
            session.clear();
            for (const listener of expiredListeners) listener();
            return false;
          }
          session.setTokens(data);
          return true;
        } catch {
          // Network failure: keep the current token (it may still be valid); the next 401 retries.
          return false;
        } finally {
          inFlight = null;
        }
      })();
      return inFlight;
    },
    onExpired(listener) {
      expiredListeners.add(listener);
      return () => expiredListeners.delete(listener);
    },
  };

  const bearer: Middleware = {
    onRequest({ request, schemaPath }) {
      if (UNAUTHENTICATED.test(schemaPath)) return undefined;
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      pending.set(request, request.clone());
      return request;
    },
    async onResponse({ request, response, schemaPath }) {
      const original = pending.get(request);
      pending.delete(request);
      if (response.status !== 401 || UNAUTHENTICATED.test(schemaPath) || !original) return undefined;
      const sentWith = request.headers.get('Authorization');
      // Another request may have refreshed while this one was in flight: retry with the new token.
      const refreshed = token !== null && sentWith !== `Bearer ${token}` ? true : await session.refresh();
      if (!refreshed || !token) return undefined;
      const retry = new Request(original, { headers: new Headers(original.headers) });
      retry.headers.set('Authorization', `Bearer ${token}`);
      return fetchImpl(retry);
    },
  };
  client.use(bearer);
  return session;
}

/** The app's one session. Tests build their own with `createSession`. */
export const session = createSession();
export const api = session.client;
