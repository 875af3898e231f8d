/**
 * Block / unblock (RT-7, JW-8): blocking kills the patient's sessions at once (their access token
 * gets 401 `session_revoked`, their refresh token 401), login answers 403 `account_blocked`, and
 * unblocking lets them sign in again. Audited, with a `patients/blocked` event after the commit.
 */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, type TokenFor, tokenFor } from '../../../test/build-test-app.js';
import { createPatient } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, credentials, patients, sessions } from '../../db/schema/index.js';
import type { DomainEvent } from '../../lib/event-bus.js';

const events: DomainEvent[] = [];
const assistant: TokenFor = { kind: 'staff', id: 3, roles: ['assistant'] };

const api = useTestApp();

beforeAll(async () => {
  api.app.events.bus.subscribe((e) => events.push(e));
});

const login = (identifier: string, password: string) =>
  api.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password } });

async function staffPost(url: string, who: TokenFor = assistant) {
  return api.app.inject({ method: 'POST', url, headers: bearer(await tokenFor(api.app, who)) });
}

async function eventually(check: () => boolean, ms = 3000) {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('blocking a patient', () => {
  it('revokes their sessions at once, refuses login, and unblocking restores login', async () => {
    const p = await createPatient(api.db.db);
    const first = await login(p.dni, p.password);
    expect(first.statusCode).toBe(200);
    const { accessToken, refreshToken } = first.json();
    const second = (await login(p.email, p.password)).json();
    const own = () => api.app.inject({ url: `/v1/patients/${p.id}`, headers: bearer(accessToken) });
    expect((await own()).statusCode).toBe(200);

    const blocked = await staffPost(`/v1/patients/${p.id}/block`);
    expect(blocked.statusCode, blocked.body).toBe(200);
    expect(blocked.json()).toMatchObject({ id: p.id, blocked: true });

    const after = await own();
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('session_revoked');
    const other = await api.app.inject({ url: '/v1/me', headers: bearer(second.accessToken) });
    expect(other.statusCode).toBe(401);
    const refreshed = await api.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
    expect(refreshed.statusCode).toBe(401);

    const refused = await login(p.dni, p.password);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('account_blocked');

    const [cred] = await api.db.db.select().from(credentials).where(eq(credentials.patientId, p.id));
    const live = await api.db.db
      .select()
      .from(sessions)
      .where(eq(sessions.credentialId, cred?.id ?? 0));
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(live.every((s) => s.revokedAt !== null && s.revokedReason === 'blocked')).toBe(true);

    const unblocked = await staffPost(`/v1/patients/${p.id}/unblock`, admin());
    expect(unblocked.statusCode).toBe(200);
    expect(unblocked.json().blocked).toBe(false);
    const again = await login(p.dni, p.password);
    expect(again.statusCode).toBe(200);
    expect((await api.app.inject({ url: '/v1/me', headers: bearer(again.json().accessToken) })).statusCode).toBe(200);
    // The sessions revoked by the block stay revoked.
    expect((await own()).statusCode).toBe(401);
  });

  it('is audited (block, session revocation, unblock) with the patient id, and published after commit', async () => {
    const p = await createPatient(api.db.db);
    await login(p.dni, p.password);
    const res = await staffPost(`/v1/patients/${p.id}/block`);
    const rows = await api.db.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.requestId, String(res.headers['x-request-id'])));
    const actions = rows.map((r) => r.action).sort();
    expect(actions).toEqual(['auth.sessions_revoke_all', 'patients.block']);
    const block = rows.find((r) => r.action === 'patients.block');
    expect(block).toMatchObject({ patientId: p.id, outcome: 'success', actorRole: 'assistant' });
    expect(block?.details).toMatchObject({ changed: true, revokedSessions: 1 });
    expect(
      await eventually(() =>
        events.some((e) => e.topic === 'patients' && e.type === 'blocked' && e.ids.patientId === p.id),
      ),
    ).toBe(true);

    const unblock = await staffPost(`/v1/patients/${p.id}/unblock`);
    const [row] = await api.db.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.requestId, String(unblock.headers['x-request-id'])),
          eq(auditEvents.action, 'patients.unblock'),
        ),
      );
    expect(row).toMatchObject({ patientId: p.id, outcome: 'success' });
  });

  it('is idempotent, and an unknown patient is 404 with nothing written', async () => {
    const p = await createPatient(api.db.db);
    expect((await staffPost(`/v1/patients/${p.id}/block`)).statusCode).toBe(200);
    const twice = await staffPost(`/v1/patients/${p.id}/block`);
    expect(twice.statusCode).toBe(200);
    const [stored] = await api.db.db.select().from(patients).where(eq(patients.id, p.id));
    expect(stored?.blocked).toBe(true);
    const missing = await staffPost('/v1/patients/999999/block');
    expect(missing.statusCode).toBe(404);
    const [row] = await api.db.db.select().from(patients).where(eq(patients.id, 999999));
    expect(row).toBeUndefined();
  });
});
