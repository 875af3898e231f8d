import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditEvents, credentials, patients, staff } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { verifyPassword } from '../auth/auth.passwords.js';
import { LEGACY_DEMO_ADMIN, LEGACY_DEMO_PATIENTS, LegacyDemoRefusedError, seedLegacyDemo } from './legacy.seed-demo.js';

const clock = new ManualClock('2026-02-01T12:00:00Z');

const api = useTestApp({ clock });

const login = (identifier: string, password: string) =>
  api.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { identifier, password } });

describe('legacy seed-demo', () => {
  it('is refused in production and writes nothing', async () => {
    await expect(seedLegacyDemo(api.db.db, { clock, production: true })).rejects.toBeInstanceOf(LegacyDemoRefusedError);
    expect(await api.db.db.select().from(patients).where(eq(patients.dni, '40123456'))).toHaveLength(0);
  });

  it('creates the documented patients and the admin, with verifiable argon2id passwords', async () => {
    const result = await seedLegacyDemo(api.db.db, { clock, production: false });
    expect(result.existing).toEqual([]);
    expect(result.created).toEqual([
      'patient 40123456',
      'patient 40123457',
      'patient 1000',
      'patient 1001',
      'patient 1002',
      'staff admin',
    ]);
    for (const p of LEGACY_DEMO_PATIENTS) {
      const [row] = await api.db.db
        .select({ patient: patients, credential: credentials })
        .from(patients)
        .innerJoin(credentials, eq(credentials.patientId, patients.id))
        .where(eq(patients.dni, p.dni));
      expect(row?.patient).toMatchObject({ email: p.email, hospitalAccount: p.hospitalAccount, blocked: p.blocked });
      expect(row?.patient.tidepoolId).toBe(p.tidepoolId);
      expect(row?.credential.passwordAlgo).toBe('argon2id');
      expect(await verifyPassword(p.password, row?.credential.passwordHash ?? '', 'argon2id')).toBe(true);
    }
    const blocked = await api.db.db.select().from(patients).where(eq(patients.blocked, true));
    expect(blocked.map((p) => p.dni)).toEqual(['1001']);
    expect((await api.db.db.select().from(patients).where(eq(patients.dni, '1002')))[0]?.tidepoolId).toBeTruthy();

    const [admin] = await api.db.db
      .select({ staff, credential: credentials })
      .from(staff)
      .innerJoin(credentials, eq(credentials.staffId, staff.id))
      .where(eq(staff.username, 'admin'));
    expect([...(admin?.staff.roles ?? [])].sort()).toEqual(['admin', 'assistant', 'clinician']);
    expect(await verifyPassword('admin', admin?.credential.passwordHash ?? '', 'argon2id')).toBe(true);

    const audits = await api.db.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorRole, 'system')));
    expect(audits.filter((a) => a.action === 'patients.create')).toHaveLength(5);
    expect(audits.filter((a) => a.action === 'staff.create')).toHaveLength(1);
    expect(audits.every((a) => a.details.source === 'legacy_demo_seed')).toBe(true);
  });

  it('a second run creates nothing and reports every account as existing', async () => {
    const before = (await api.db.db.select().from(patients)).length;
    const result = await seedLegacyDemo(api.db.db, { clock, production: false });
    expect(result.created).toEqual([]);
    expect(result.existing).toHaveLength(LEGACY_DEMO_PATIENTS.length + 1);
    expect(result.existing).toContain(`staff ${LEGACY_DEMO_ADMIN.username}`);
    expect((await api.db.db.select().from(patients)).length).toBe(before);
  });

  it('patient 40123456 signs in through POST /v1/auth/login with "thepassword"', async () => {
    const res = await login('40123456', 'thepassword');
    expect(res.statusCode).toBe(200);
    expect(res.json().accessToken).toEqual(expect.any(String));
    expect((await login('40123456', 'wrong-password')).statusCode).toBe(401);
  });

  it('the blocked patient 1001 is refused even with the right password', async () => {
    const res = await login('1001', 'bloqueado');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('account_blocked');
  });

  it('the admin signs in with admin/admin', async () => {
    const res = await login('admin', 'admin');
    expect(res.statusCode).toBe(200);
  });
});
