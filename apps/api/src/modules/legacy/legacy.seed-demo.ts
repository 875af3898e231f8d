/**
 * `diabetify legacy seed-demo`: the development fixtures the old deployment shipped with
 * (legacy-compat.md §C.1 and §E.25), so mobile developers get the environment their tooling
 * expects. The passwords are short and common on purpose (the old seed's), so this bypasses the
 * password policy and is refused in production. Accounts are hashed with argon2id like any other
 * and audited like admin-created accounts (`patients.create` / `staff.create`, actor `system`).
 *
 * Idempotent: an account whose DNI (patients) or username (staff) exists is reported as existing
 * and left untouched, whatever its password or roles are now.
 */

import { eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { insertCredential } from '../../db/credentials.js';
import { patients, staff } from '../../db/schema/index.js';
import type { Clock } from '../../lib/clock.js';
import { AuditService } from '../audit/audit.service.js';
import { hashPassword } from '../auth/auth.passwords.js';

export interface LegacyDemoPatient {
  dni: string;
  password: string;
  name: string;
  surname: string;
  email: string;
  hospitalAccount: string;
  blocked: boolean;
  tidepoolId: string | null;
}

/** The documented fixtures (README "Legacy mobile-app environment and import"). */
export const LEGACY_DEMO_PATIENTS: readonly LegacyDemoPatient[] = [
  {
    dni: '40123456',
    password: 'thepassword',
    name: 'Lucía',
    surname: 'Fernández',
    email: 'lucia.fernandez@legacy-demo.example',
    hospitalAccount: 'HOSP001',
    blocked: false,
    tidepoolId: null,
  },
  {
    dni: '40123457',
    password: 'thepassword2',
    name: 'Martín',
    surname: 'Gómez',
    email: 'martin.gomez@legacy-demo.example',
    hospitalAccount: 'HOSP002',
    blocked: false,
    tidepoolId: null,
  },
  {
    dni: '1000',
    password: 'tuvieja',
    name: 'Carlos',
    surname: 'Rodríguez',
    email: 'carlos.rodriguez@legacy-demo.example',
    hospitalAccount: '1000',
    blocked: false,
    tidepoolId: null,
  },
  {
    dni: '1001',
    password: 'bloqueado',
    name: 'Ana',
    surname: 'Martínez',
    email: 'ana.martinez@legacy-demo.example',
    hospitalAccount: '1001',
    blocked: true,
    tidepoolId: null,
  },
  {
    dni: '1002',
    password: 'tidepool',
    name: 'Jorge',
    surname: 'López',
    email: 'jorge.lopez@legacy-demo.example',
    hospitalAccount: '1002',
    blocked: false,
    tidepoolId: '6b8f3e2a1c',
  },
];

/** The old back-office admin could do everything: here that is all three staff roles. */
export const LEGACY_DEMO_ADMIN = {
  username: 'admin',
  password: 'admin',
  email: 'admin@legacy-demo.example',
  name: 'Administrador',
  roles: ['admin', 'clinician', 'assistant'],
} as const;

export class LegacyDemoRefusedError extends Error {
  constructor() {
    super('legacy seed-demo is refused when NODE_ENV=production (it creates accounts with public passwords)');
    this.name = 'LegacyDemoRefusedError';
  }
}

export interface SeedLegacyDemoOptions {
  clock: Clock;
  production: boolean;
  /** The app's audit service; by default one on `db` writing to chain shard 0. */
  audit?: AuditService;
}

/** Creates the legacy demo accounts; `created`/`existing` name them (`patient 1000`, `staff admin`). */
export async function seedLegacyDemo(
  db: Executor,
  options: SeedLegacyDemoOptions,
): Promise<{ created: string[]; existing: string[] }> {
  if (options.production) throw new LegacyDemoRefusedError();
  // One shard is enough for a handful of rows and is valid under any AUDIT_CHAIN_SHARDS.
  const audit = options.audit ?? new AuditService(db as Database, options.clock, 1);
  const created: string[] = [];
  const existing: string[] = [];

  for (const p of LEGACY_DEMO_PATIENTS) {
    const label = `patient ${p.dni}`;
    const [found] = await db.select({ id: patients.id }).from(patients).where(eq(patients.dni, p.dni));
    if (found) {
      existing.push(label);
      continue;
    }
    // Hash outside the transaction: the embedded database is one connection.
    const passwordHash = await hashPassword(p.password);
    const now = options.clock.now();
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(patients)
        .values({
          dni: p.dni,
          email: p.email,
          name: p.name,
          surname: p.surname,
          hospitalAccount: p.hospitalAccount,
          blocked: p.blocked,
          tidepoolId: p.tidepoolId,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: patients.id });
      if (!row) throw new Error(`${label}: its e-mail or hospital account belongs to another patient`);
      await insertCredential(tx, { patientId: row.id }, passwordHash, now);
      await audit.record(tx, {
        actor: { id: null, role: 'system' },
        action: 'patients.create',
        resourceType: 'patient',
        resourceId: row.id,
        patientId: row.id,
        outcome: 'success',
        details: { source: 'legacy_demo_seed', blocked: p.blocked, passwordSet: true, invited: false },
      });
    });
    created.push(label);
  }

  const a = LEGACY_DEMO_ADMIN;
  const label = `staff ${a.username}`;
  const [found] = await db.select({ id: staff.id }).from(staff).where(eq(staff.username, a.username));
  if (found) existing.push(label);
  else {
    const passwordHash = await hashPassword(a.password);
    const now = options.clock.now();
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(staff)
        .values({
          username: a.username,
          email: a.email,
          name: a.name,
          roles: [...a.roles],
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: staff.id });
      if (!row) throw new Error(`${label}: its e-mail belongs to another staff member`);
      await insertCredential(tx, { staffId: row.id }, passwordHash, now);
      await audit.record(tx, {
        actor: { id: null, role: 'system' },
        action: 'staff.create',
        resourceType: 'staff',
        resourceId: row.id,
        outcome: 'success',
        details: { source: 'legacy_demo_seed', roles: [...a.roles], passwordSet: true },
      });
    });
    created.push(label);
  }
  return { created, existing };
}
