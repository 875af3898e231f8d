import { describe, expect, it } from 'vitest';
import { createSession } from './api/client';
import { createDataProvider } from './dataProvider';
import { fakeApi, json } from './test/fakeApi';

const patient = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  dni: `1000000${id}`,
  email: `p${id}@example.org`,
  name: `Name${id}`,
  surname: `Surname${id}`,
  hospitalAccount: null,
  birthDate: null,
  diabetesType: 'type1',
  glucoseUnit: 'mg/dL',
  targetLowMgDl: 70,
  targetHighMgDl: 180,
  timezone: 'America/Argentina/Buenos_Aires',
  blocked: false,
  tidepoolId: null,
  streakDays: 0,
  maxStreakDays: 0,
  timesMeasured: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

function setup() {
  const api = fakeApi();
  const session = createSession({ fetch: api.fetch, baseUrl: 'http://localhost', setTimer: () => 0 });
  session.setTokens({ accessToken: 'token-1', expiresIn: 900 });
  return { api, session, dp: createDataProvider(session) };
}

describe('data provider: patients', () => {
  it('maps page, perPage, sort and filters to one GET /v1/patients and returns the total', async () => {
    const { api, dp } = setup();
    api.on('GET', '/v1/patients', () => json(200, { data: [patient(1), patient(2)], total: 42 }));
    const result = await dp.getList('patients', {
      pagination: { page: 3, perPage: 25 },
      sort: { field: 'email', order: 'DESC' },
      filter: { q: '  ana ', blocked: 'true' },
    });
    expect(result.total).toBe(42);
    expect(result.data.map((p) => p.id)).toEqual([1, 2]);
    expect(api.calls).toHaveLength(1);
    const [call] = api.calls;
    expect(Object.fromEntries(call?.query ?? [])).toEqual({
      page: '3',
      perPage: '25',
      sort: '-email',
      q: 'ana',
      blocked: 'true',
    });
    expect(call?.headers.get('authorization')).toBe('Bearer token-1');
  });

  it('falls back to the default sort for fields the API cannot sort on, and drops empty filters', async () => {
    const { api, dp } = setup();
    api.on('GET', '/v1/patients', () => json(200, { data: [], total: 0 }));
    await dp.getList('patients', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'diabetesType', order: 'ASC' },
      filter: { q: '   ' },
    });
    expect(Object.fromEntries(api.calls[0]?.query ?? [])).toEqual({ page: '1', perPage: '10', sort: 'surname' });
  });

  it('walks API pages of 100 for an export of up to 1,000 rows (one request per page)', async () => {
    const { api, dp } = setup();
    api.on('GET', '/v1/patients', (call) => {
      const page = Number(call.query.get('page'));
      const rows = page < 3 ? 100 : 30;
      return json(200, { data: Array.from({ length: rows }, (_, i) => patient((page - 1) * 100 + i + 1)), total: 230 });
    });
    const result = await dp.getList('patients', {
      pagination: { page: 1, perPage: 1000 },
      sort: { field: 'surname', order: 'ASC' },
      filter: {},
    });
    expect(result.total).toBe(230);
    expect(result.data).toHaveLength(230);
    expect(api.calls.map((c) => c.query.get('page'))).toEqual(['1', '2', '3']);
    expect(api.calls.every((c) => c.query.get('perPage') === '100')).toBe(true);
  });

  it('PATCHes only the changed editable fields, cleared optional text as null', async () => {
    const { api, dp } = setup();
    api.on('PATCH', '/v1/patients/7', (call) => json(200, patient(7, call.body as Record<string, unknown>)));
    const previous = patient(7, { hospitalAccount: 'H-1' });
    await dp.update('patients', {
      id: 7,
      previousData: previous,
      data: { ...previous, email: 'new@example.org', hospitalAccount: '', streakDays: 99, blocked: true },
    });
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]?.body).toEqual({ email: 'new@example.org', hospitalAccount: null });
  });

  it('creates without empty optional fields (no password: the invitation path)', async () => {
    const { api, dp } = setup();
    api.on('POST', '/v1/patients', (call) => json(201, patient(9, call.body as Record<string, unknown>)));
    await dp.create('patients', {
      data: { dni: '30111222', email: 'a@b.org', name: 'Ana', surname: 'Paz', hospitalAccount: '', password: '' },
    });
    expect(api.calls[0]?.body).toEqual({ dni: '30111222', email: 'a@b.org', name: 'Ana', surname: 'Paz' });
  });

  it('turns a problem response into an HttpError with translated keys per field', async () => {
    const { api, dp } = setup();
    api.on('POST', '/v1/patients', () =>
      json(409, {
        type: 'about:blank',
        status: 409,
        code: 'duplicate',
        title: 'Conflict',
        errors: { 'body.dni': 'is already in use' },
      }),
    );
    const error = await dp
      .create('patients', { data: { dni: '30111222', email: 'a@b.org', name: 'A', surname: 'B' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      message: 'dfy.errors.duplicate',
      status: 409,
      body: { errors: { dni: 'dfy.validation.taken' } },
    });
  });

  it('blocks and unblocks through the dedicated routes', async () => {
    const { api, dp } = setup();
    api.on('POST', '/v1/patients/3/block', () => json(200, patient(3, { blocked: true })));
    api.on('POST', '/v1/patients/3/unblock', () => json(200, patient(3, { blocked: false })));
    expect((await dp.block('patients', { id: 3, blocked: true })).data.blocked).toBe(true);
    expect((await dp.block('patients', { id: 3, blocked: false })).data.blocked).toBe(false);
    expect(api.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v1/patients/3/block',
      'POST /v1/patients/3/unblock',
    ]);
  });

  it('getMany fetches each distinct id once, in parallel', async () => {
    const { api, dp } = setup();
    api.on('GET', /^\/v1\/patients\/\d+$/, (call) => json(200, patient(Number(call.path.split('/').pop()))));
    const { data } = await dp.getMany('patients', { ids: [4, 5, 4] });
    expect(data.map((p) => p.id)).toEqual([4, 5]);
    expect(api.calls).toHaveLength(2);
  });

  it('refuses an unknown resource clearly', () => {
    const { dp } = setup();
    expect(() =>
      dp.getList('nope', { pagination: { page: 1, perPage: 1 }, sort: { field: 'id', order: 'ASC' }, filter: {} }),
    ).toThrow(/unknown_resource/);
  });
});
