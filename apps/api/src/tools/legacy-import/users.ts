/**
 * login database → patients (+ credentials) and staff (+ credentials). README "users" and
 * "admins" give every rule; in short: legacy `user_id` is kept as `patients.id`, the SHA-256 hex is
 * kept as a `legacy_sha256` credential (re-hashed with argon2id at the first sign-in), the first
 * user (lowest id) wins any DNI/e-mail clash, and admins become staff with all three roles.
 */

import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { credentials, patients, staff } from '../../db/schema/index.js';
import { canonicalDni, canonicalEmail, canonicalText } from '../../lib/canonical.js';
import { USERNAME_PATTERN } from '../../modules/staff/staff.schema.js';
import type { ImportContext } from './context.js';
import type { TableTally } from './report.js';
import { columnsOf, keysetQuery } from './source.js';

interface LegacyUser {
  id: number;
  dni: string | null;
  password: string | null;
  name: string | null;
  surname: string | null;
  blocked: boolean | null;
  email: string | null;
  tidepool: string | null;
  hospital_account: string | null;
  times_measured: number | null;
  streak: number | null;
  max_streak: number | null;
  four_times_today?: number | null;
  streak_last_date?: string | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const count = (n: number | null | undefined) => (Number.isInteger(n) && (n as number) > 0 ? (n as number) : 0);

/** The stored credential of a legacy hash: kept when well formed, else none (the person resets it). */
function legacyCredential(hash: string | null, tally: TableTally) {
  if (hash && SHA256_HEX.test(hash.trim())) {
    return { passwordHash: hash.trim().toLowerCase(), passwordAlgo: 'legacy_sha256' };
  }
  tally.adjust('password_unusable');
  return { passwordHash: null, passwordAlgo: null };
}

/** Moves an identity sequence past the ids inserted with OVERRIDING SYSTEM VALUE (never backwards). */
export async function bumpSequence(tx: Executor, table: string): Promise<void> {
  await tx.execute(sql`select setval(pg_get_serial_sequence(${table}, 'id'),
    greatest((select coalesce(max(id), 0) from ${sql.identifier(table)}),
      nextval(pg_get_serial_sequence(${table}, 'id')) - 1, 1))`);
}

export async function importUsers(ctx: ImportContext, tally: TableTally): Promise<void> {
  const cols = await columnsOf(ctx.sources.login, 'users');
  if (cols.size === 0) throw new Error('the login database has no "users" table');
  const optional = [
    cols.has('four_times_today') ? 'four_times_today::int as four_times_today' : null,
    cols.has('streak_last_date') ? 'streak_last_date::text as streak_last_date' : null,
  ].filter(Boolean);
  const select = [
    'user_id::int as id, dni::text as dni, password::text as password, name::text as name',
    'surname::text as surname, blocked::bool as blocked, email::text as email, tidepool::text as tidepool',
    'hospital_account::text as hospital_account, times_measured::int as times_measured',
    'streak::int as streak, max_streak::int as max_streak',
    ...optional,
  ].join(', ');
  const query = keysetQuery(select, 'users', 'user_id', ctx.chunkSize);
  let after = -2147483648;
  for (;;) {
    const rows = await ctx.sources.login.query<LegacyUser>(query, [after]);
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as LegacyUser).id;
    tally.seen(rows.length);
    for (const r of rows) ctx.userIds.add(r.id);
    await ctx.target.transaction(async (tx) => {
      await usersChunk(tx, ctx, rows, tally);
    });
    await ctx.chunkDone('users', rows.length);
  }
}

async function usersChunk(tx: Executor, ctx: ImportContext, rows: LegacyUser[], tally: TableTally) {
  const dnis = rows.map((r) => canonicalDni(r.dni ?? ''));
  const emails = rows.map((r) => canonicalEmail(r.email ?? ''));
  const accounts = rows.map((r) => canonicalText(r.hospital_account ?? ''));
  const existing = await queryRows<{ id: number; dni: string; email: string; account: string | null }>(
    tx,
    sql`select id::int as id, dni, lower(email) as email, hospital_account as account from patients
      where id = any(${sql.param(rows.map((r) => r.id))}::bigint[]) or dni = any(${sql.param(dnis)}::text[])
        or lower(email) = any(${sql.param(emails)}::text[]) or hospital_account = any(${sql.param(accounts)}::text[])`,
  );
  const byId = new Map(existing.map((e) => [e.id, e]));
  const dniOwner = new Map(existing.map((e) => [e.dni, e.id]));
  const emailOwner = new Map(existing.map((e) => [e.email, e.id]));
  const accountOwner = new Map(existing.filter((e) => e.account !== null).map((e) => [e.account as string, e.id]));
  const now = ctx.runAt;

  for (const [i, r] of rows.entries()) {
    const dni = dnis[i] as string;
    const email = emails[i] as string;
    const here = byId.get(r.id);
    if (here) {
      if (here.dni === dni) tally.report.present++;
      else tally.skip(r.id, 'id_taken');
      continue;
    }
    if (dni === '') {
      tally.skip(r.id, 'missing_dni');
      continue;
    }
    if (!EMAIL.test(email) || email.length > 254) {
      tally.skip(r.id, 'invalid_email');
      continue;
    }
    if (dniOwner.has(dni)) {
      tally.skip(r.id, 'duplicate_dni');
      continue;
    }
    if (emailOwner.has(email)) {
      tally.skip(r.id, 'duplicate_email');
      continue;
    }
    let account: string | null = accounts[i] || null;
    if (account !== null && accountOwner.has(account)) {
      tally.adjust('hospital_account_conflict_cleared');
      account = null;
    }
    const streak = count(r.streak);
    const lastDate = r.streak_last_date?.slice(0, 10) ?? null;
    const [row] = await tx
      .insert(patients)
      .overridingSystemValue()
      .values({
        id: r.id,
        dni,
        email,
        name: canonicalText(r.name ?? ''),
        surname: canonicalText(r.surname ?? ''),
        hospitalAccount: account,
        blocked: r.blocked === true,
        tidepoolId: canonicalText(r.tidepool ?? '') || null,
        timesMeasured: count(r.times_measured),
        streakDays: streak,
        maxStreakDays: Math.max(streak, count(r.max_streak)),
        fourTimesToday: count(r.four_times_today) % 4,
        streakLastDate: lastDate && /^\d{4}-\d{2}-\d{2}$/.test(lastDate) ? lastDate : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: patients.id });
    if (!row) throw new Error(`patient ${r.id} was not inserted`);
    const credential = legacyCredential(r.password, tally);
    await tx.insert(credentials).values({
      patientId: r.id,
      ...credential,
      passwordChangedAt: credential.passwordHash ? now : null,
      createdAt: now,
      updatedAt: now,
    });
    dniOwner.set(dni, r.id);
    emailOwner.set(email, r.id);
    if (account !== null) accountOwner.set(account, r.id);
    tally.report.inserted++;
  }
  if (tally.report.inserted > 0) await bumpSequence(tx, 'patients');
}

interface LegacyAdmin {
  id: number;
  username: string | null;
  password: string | null;
  email: string | null;
}

export const ADMIN_ROLES = ['admin', 'clinician', 'assistant'];

export async function importAdmins(ctx: ImportContext, tally: TableTally): Promise<void> {
  const cols = await columnsOf(ctx.sources.login, 'admins');
  if (cols.size === 0) return;
  const query = keysetQuery(
    'admin_id::int as id, username::text as username, password::text as password, email::text as email',
    'admins',
    'admin_id',
    ctx.chunkSize,
  );
  let after = -2147483648;
  for (;;) {
    const rows = await ctx.sources.login.query<LegacyAdmin>(query, [after]);
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as LegacyAdmin).id;
    tally.seen(rows.length);
    await ctx.target.transaction(async (tx) => {
      for (const a of rows) await adminRow(tx, ctx, a, tally);
    });
    await ctx.chunkDone('admins', rows.length);
  }
}

async function adminRow(tx: Executor, ctx: ImportContext, a: LegacyAdmin, tally: TableTally): Promise<void> {
  const username = (a.username ?? '').normalize('NFKC').trim().toLowerCase();
  const email = canonicalEmail(a.email ?? '');
  if (!new RegExp(USERNAME_PATTERN).test(username)) return tally.skip(a.id, 'invalid_username');
  if (!EMAIL.test(email)) return tally.skip(a.id, 'invalid_email');
  const found = await queryRows<{ username: string; email: string }>(
    tx,
    sql`select lower(username) as username, lower(email) as email from staff
      where lower(username) = ${username} or lower(email) = ${email}`,
  );
  if (found.some((f) => f.username === username && f.email === email)) {
    tally.report.present++;
    return;
  }
  if (found.some((f) => f.username === username)) return tally.skip(a.id, 'duplicate_username');
  if (found.length > 0) return tally.skip(a.id, 'duplicate_email');
  const [row] = await tx
    .insert(staff)
    .values({ username, email, name: username, roles: ADMIN_ROLES, createdAt: ctx.runAt, updatedAt: ctx.runAt })
    .returning({ id: staff.id });
  if (!row) throw new Error(`admin ${a.id} was not inserted`);
  const credential = legacyCredential(a.password, tally);
  await tx.insert(credentials).values({
    staffId: row.id,
    ...credential,
    passwordChangedAt: credential.passwordHash ? ctx.runAt : null,
    createdAt: ctx.runAt,
    updatedAt: ctx.runAt,
  });
  tally.report.inserted++;
}
