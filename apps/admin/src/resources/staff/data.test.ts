import { describe, expect, it } from 'vitest';
import { createSession } from '../../api/client';
import { createDataProvider } from '../../dataProvider';
import { fakeApi, json } from '../../test/fakeApi';

const member = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  username: `user${id}`,
  email: `user${id}@clinic.example`,
  name: `User ${id}`,
  roles: ['clinician'],
  blocked: false,
  mfaEnabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

function setup() {
  const api = fakeApi();
  const session = createSession({ fetch: api.fetch, baseUrl: 'http://localhost', setTimer: () => 0 });
  session.setTokens({ accessToken: 'token-1', expiresIn: 900 });
  return { api, dp: createDataProvider(session) };
}

describe('data provider: staff', () => {
  it('one GET /v1/staff per page with sort, search, role and status, and the total', async () => {
    const { api, dp } = setup();
    api.on('GET', '/v1/staff', () => json(200, { data: [member(1)], total: 31 }));
    const result = await dp.getList('staff', {
      pagination: { page: 2, perPage: 25 },
      sort: { field: 'name', order: 'DESC' },
      filter: { q: ' luna ', role: 'admin', blocked: 'true' },
    });
    expect(result).toEqual({ data: [member(1)], total: 31 });
    expect(api.calls).toHaveLength(1);
    expect(Object.fromEntries(api.calls[0]?.query ?? [])).toEqual({
      page: '2',
      perPage: '25',
      sort: '-name',
      q: 'luna',
      role: 'admin',
      blocked: 'true',
    });
  });

  it('creates with roles, and sends the password only when one was typed (else the API invites)', async () => {
    const { api, dp } = setup();
    api.on('POST', '/v1/staff', (c) => json(201, member(9, c.body as Record<string, unknown>)));
    await dp.create('staff', {
      data: { username: 'nueva', email: 'n@clinic.example', name: 'Nueva', roles: ['assistant'], password: '' },
    });
    expect(api.calls[0]?.body).toEqual({
      username: 'nueva',
      email: 'n@clinic.example',
      name: 'Nueva',
      roles: ['assistant'],
    });
  });

  it('PATCHes only changed fields; the same roles reordered are no change; block is a PATCH', async () => {
    const { api, dp } = setup();
    api.on('PATCH', /^\/v1\/staff\/\d+$/, (c) => json(200, member(3, c.body as Record<string, unknown>)));
    const previousData = member(3, { roles: ['clinician', 'admin'] });
    await dp.update('staff', {
      id: 3,
      data: { ...previousData, roles: ['admin', 'clinician'], name: 'Renamed' },
      previousData,
    });
    await dp.update('staff', { id: 3, data: { ...previousData, roles: ['assistant'] }, previousData });
    await dp.block('staff', { id: 3, blocked: true });
    expect(api.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['PATCH', '/v1/staff/3', { name: 'Renamed' }],
      ['PATCH', '/v1/staff/3', { roles: ['assistant'] }],
      ['PATCH', '/v1/staff/3', { blocked: true }],
    ]);
  });

  it('a self-lockout refusal keeps its own code for the screen to explain', async () => {
    const { api, dp } = setup();
    api.on('PATCH', '/v1/staff/1', () =>
      json(409, { code: 'self_lockout', status: 409, title: 'Conflict', detail: 'You cannot block yourself' }),
    );
    const err = await dp.block('staff', { id: 1, blocked: true }).catch((e: unknown) => e);
    const { problemText } = await import('../../account/problemText');
    expect(problemText(err)).toBe('dfy.problems.self_lockout');
  });
});
