/**
 * Token verification overhead: the same no-op route with and without `config.auth`, on the same
 * app. With the server's CPU saturated, 1 ÷ req/s is the CPU time of one request, so the
 * difference of the two is what authentication costs per request. Measured twice:
 *
 * - the same token on every request: a client reusing its access token, the steady state (the
 *   key store may remember a verified token; the budget applies here);
 * - a new token on every request (signed with the server's own key, same session), more tokens
 *   than any verified-token cache holds: the full EdDSA check each time, as on a token's first
 *   request to an instance.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Audience, KeyStore } from '@diabetify/api/dist/modules/auth/auth.keys.js';
import type autocannon from 'autocannon';
import { type RunContext, step } from '../context.js';
import { BENCH_PASSWORD } from '../database.js';
import { fetchJson, type HttpSummary } from '../http-load.js';
import type { Child } from '../proc.js';
import type { MicroResult } from '../tasks.js';
import { cpuMethod, cpuNote, cpuPerRequest, errorNote, load, url } from './common.js';

/** Distinct tokens cycled through: above the key store's verified-token cache (10,000 entries). */
const FRESH_TOKENS = 15_000;
const BUDGET = { op: '<', limit: 0.1, text: '< 0.1 ms per request' } as const;

interface Claims {
  sub: string;
  aud: string | string[];
  roles: string[];
  sid?: string;
  amr?: string[];
}

/** Tokens like the one login issued (same subject, session and roles), each with its own jti. */
async function freshTokens(ctx: RunContext, accessToken: string, count: number): Promise<string[]> {
  const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims;
  // The development key the server generated into its DATA_DIR on start.
  const jwk = JSON.parse(readFileSync(path.join(ctx.serverDataDir, 'keys', 'jwt-ed25519.jwk.json'), 'utf8'));
  const keys = await KeyStore.fromJwks('diabetify', jwk);
  const now = Math.floor(Date.now() / 1000);
  const audience = (Array.isArray(claims.aud) ? claims.aud[0] : claims.aud) as Audience;
  return Promise.all(
    Array.from({ length: count }, () =>
      keys.sign(
        {
          subject: claims.sub,
          audience,
          roles: claims.roles,
          sessionId: claims.sid ?? null,
          tokenId: randomUUID(),
          amr: claims.amr ?? ['pwd'],
        },
        now,
      ),
    ),
  );
}

export async function authScenario(
  ctx: RunContext,
  app: Child,
  anon: HttpSummary,
  bare: HttpSummary | null,
  m: MicroResult,
): Promise<void> {
  const [identifier] = ctx.facts.accounts;
  if (!identifier) throw new Error('no seeded patient with a credential');
  const { accessToken } = await fetchJson<{ accessToken: string }>(`${url(app)}/v1/auth/login`, {
    method: 'POST',
    body: { identifier, password: BENCH_PASSWORD },
  });
  step('authenticated no-op route, the same token on every request');
  const same = await load(ctx, app, '/v1/bench/noop', { headers: { authorization: `Bearer ${accessToken}` } });
  step(`authenticated no-op route, a new token on every request (${FRESH_TOKENS.toLocaleString('en-US')} signed)`);
  const tokens = await freshTokens(ctx, accessToken, FRESH_TOKENS);
  let next = 0;
  const request: autocannon.Request = {
    method: 'GET',
    path: '/v1/bench/noop',
    setupRequest: (req) => ({
      ...req,
      headers: { ...req.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
    }),
  };
  const fresh = await load(ctx, app, '/v1/bench/noop', { requests: [request] });

  const cached = 1000 / m.verifyRepeated.perSecond;
  const full = 1000 / m.verifyParallel.perSecond;
  const scenario = 'token verification overhead';
  const method = cpuMethod(same);
  const sameNote = cpuNote(ctx, 'authenticated no-op, same token', same) ?? errorNote('authenticated no-op', same);
  const freshNote = cpuNote(ctx, 'authenticated no-op, new tokens', fresh) ?? errorNote('new tokens', fresh);
  ctx.rows.push(
    {
      scenario: 'no-op route, authenticated (full app)',
      size: '—',
      metric: 'throughput, same token',
      unit: 'req/s',
      value: same.perSecond,
      ceiling: bare?.perSecond ?? null,
      ...(sameNote ? { note: sameNote } : {}),
    },
    {
      scenario,
      size: '—',
      metric: `server CPU per request, same token (auth − anon, ${method})`,
      unit: 'ms/req',
      value: cpuPerRequest(same) - cpuPerRequest(anon),
      ceiling: cached,
      budget: BUDGET,
      note: `keys.verify of an already verified token costs ${cached.toFixed(4)} ms per call (ceiling); the rest is the auth hook (bearer parsing, session-live check, principal) and measurement noise. A full signature check costs ${full.toFixed(3)} ms.`,
    },
    {
      scenario,
      size: '—',
      metric: '1 ÷ throughput difference, same token',
      unit: 'ms/req',
      value: 1000 / same.perSecond - 1000 / anon.perSecond,
      ceiling: null,
    },
    {
      scenario,
      size: '—',
      metric: 'p50 latency difference, same token',
      unit: 'ms',
      value: same.p50Ms - anon.p50Ms,
      ceiling: null,
    },
    {
      scenario,
      size: '—',
      metric: `server CPU per request, a new token each request (${method})`,
      unit: 'ms/req',
      value: cpuPerRequest(fresh) - cpuPerRequest(anon),
      ceiling: full,
      note: `Every request carries a token the server has not verified before: the full EdDSA check (ceiling: keys.verify alone, ${full.toFixed(3)} ms/call). Real clients pay this once per token and instance.${freshNote ? ` ${freshNote}` : ''}`,
    },
    {
      scenario,
      size: '—',
      metric: 'p50 latency difference, new tokens',
      unit: 'ms',
      value: fresh.p50Ms - anon.p50Ms,
      ceiling: m.verifySerial.p50Ms,
    },
  );
}
