/**
 * Test data: patients and staff with credentials. Passwords are hashed with the real argon2id
 * (≈30 ms each); `legacySha256` stores an unsalted SHA-256 hex like the old system did.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../src/db/client.js';
import { credentials, patients, staff } from '../src/db/schema/index.js';
import { insertReadings } from '../src/db/seed/bulk.js';
import { ColumnBuffer } from '../src/db/seed/columns.js';
import { hashPassword } from '../src/modules/auth/auth.passwords.js';

let counter = 0;
function unique(): string {
  counter += 1;
  return `${process.pid % 1000}${counter}${randomBytes(2).toString('hex')}`;
}

export const DEFAULT_PASSWORD = 'Glucosa-Test-2026!';

interface CredentialOptions {
  password?: string | null;
  legacySha256?: boolean;
}

async function credentialValues(opts: CredentialOptions) {
  const password = opts.password === undefined ? DEFAULT_PASSWORD : opts.password;
  if (password === null) return { passwordHash: null, passwordAlgo: null };
  if (opts.legacySha256) {
    return { passwordHash: createHash('sha256').update(password).digest('hex'), passwordAlgo: 'legacy_sha256' };
  }
  return { passwordHash: await hashPassword(password), passwordAlgo: 'argon2id' };
}

/** The credential row of a new patient or staff member, and the password it was made from. */
async function withCredential(
  db: Executor,
  owner: { patientId: number } | { staffId: number },
  opts: CredentialOptions,
) {
  const [credential] = await db
    .insert(credentials)
    .values({ ...owner, ...(await credentialValues(opts)) })
    .returning();
  return { credential: credential as typeof credentials.$inferSelect, password: opts.password ?? DEFAULT_PASSWORD };
}

export async function createPatient(
  db: Executor,
  overrides: Partial<typeof patients.$inferInsert> & CredentialOptions = {},
) {
  const { password, legacySha256, ...fields } = overrides;
  const n = unique();
  const dni = fields.dni ?? String(20_000_000 + (Number.parseInt(n, 16) % 9_000_000));
  const [row] = await db
    .insert(patients)
    .values({ dni, email: `patient${n}@patients.example`, name: 'Ana', surname: 'Pérez', ...fields })
    .returning();
  if (!row) throw new Error('patient insert failed');
  return { ...row, ...(await withCredential(db, { patientId: row.id }, { password, legacySha256 })) };
}

export async function createStaff(
  db: Executor,
  overrides: Partial<typeof staff.$inferInsert> & CredentialOptions = {},
) {
  const { password, legacySha256, ...fields } = overrides;
  const n = unique();
  const [row] = await db
    .insert(staff)
    .values({
      username: `staff${n}`,
      email: `staff${n}@clinic.example`,
      name: 'Dr. Test',
      roles: ['clinician'],
      ...fields,
    })
    .returning();
  if (!row) throw new Error('staff insert failed');
  return { ...row, ...(await withCredential(db, { staffId: row.id }, { password, legacySha256 })) };
}

export interface ReadingInput {
  valueMgDl: number;
  measuredAt: Date;
  context?: string;
  source?: 'manual' | 'meter' | 'cgm' | 'import' | 'legacy';
  deviceId?: string | null;
  sequenceNumber?: number | null;
}

/**
 * Inserts readings for one patient the way the seed does (bulk path: change-feed positions,
 * counters and day summaries kept in step). For tests that need data, not the create API.
 */
export async function createReadings(db: Executor, patientId: number, rows: readonly ReadingInput[]): Promise<number> {
  const c = ColumnBuffer.empty();
  for (const r of rows) {
    c.patientId.push(patientId);
    c.valueMgDl.push(r.valueMgDl);
    c.measuredAtMs.push(r.measuredAt.getTime());
    c.context.push(r.context ?? 'other');
    c.source.push(r.source ?? 'cgm');
    c.deviceId.push(r.deviceId ?? null);
    c.sequenceNumber.push(r.sequenceNumber ?? null);
  }
  return insertReadings(db, c);
}
