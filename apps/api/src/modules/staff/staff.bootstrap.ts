/**
 * The first admin account, two ways:
 * - at server start, from BOOTSTRAP_ADMIN_USERNAME/_EMAIL/_PASSWORD, only when no admin exists
 *   (`ensureBootstrapAdmin`; several instances starting at once serialise on an advisory lock, so
 *   exactly one creates it). In production the password must pass the staff password policy and
 *   the server refuses to start otherwise (even once an admin exists: a weak secret stays refused);
 *   elsewhere a weak one (the demo `admin/admin`) is accepted with a warning.
 * - `diabetify create-admin` (`createAdminAccount`): always creates the named admin (recovery when
 *   every admin is locked out), always under the password policy.
 * Both hash with argon2id and write a `staff.create` audit row (actor `system`) in the same
 * transaction (StaffAdmins, the staff service for accounts created outside a request). No HTTP
 * here: the CLI calls this without building the app.
 */

import type { Config } from '../../config/index.js';
import type { Database } from '../../db/client.js';
import type { AuditRecorder } from '../../lib/audit.js';
import { canonicalEmail, canonicalText } from '../../lib/canonical.js';
import type { Clock } from '../../lib/clock.js';
import { hashPassword, passwordProblem } from '../auth/auth.passwords.js';
import { DuplicateError, uniqueViolation } from '../patients/patients.errors.js';
import { USERNAME_PATTERN } from './staff.schema.js';
import { StaffAdmins } from './staff.service.js';

export interface BootstrapDeps {
  db: Database;
  audit: AuditRecorder;
  clock: Clock;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface AdminInput {
  username: string;
  email: string;
  password: string;
  name?: string | undefined;
}

/** A refused admin creation, with a message fit for an operator (never the password). */
export class BootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapError';
  }
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

function canonical(input: AdminInput): Required<AdminInput> {
  return {
    username: input.username.normalize('NFKC').trim().toLowerCase(),
    email: canonicalEmail(input.email),
    password: input.password,
    name: canonicalText(input.name ?? 'Administrator') || 'Administrator',
  };
}

/** Problems with the username and e-mail (always fatal) and with the password (policy). */
function problemsOf(input: Required<AdminInput>, minLength: number) {
  const identity: string[] = [];
  if (!new RegExp(USERNAME_PATTERN).test(input.username)) {
    identity.push('username must be 3–50 characters a-z 0-9 . _ -');
  }
  if (input.email.length > 254 || !EMAIL.test(input.email)) identity.push('e-mail is not a valid address');
  const password = passwordProblem(input.password, {
    kind: 'staff',
    minLength,
    identifiers: [input.username, input.email],
  });
  return { identity, password: password ? `password ${password}` : null };
}

async function insertAdmin(
  deps: BootstrapDeps,
  input: Required<AdminInput>,
  source: 'bootstrap' | 'cli',
  onlyIfNoAdmin: boolean,
): Promise<number | null> {
  const passwordHash = await hashPassword(input.password);
  try {
    const { username, email, name } = input;
    return await new StaffAdmins(deps).create({ username, email, name }, passwordHash, source, onlyIfNoAdmin);
  } catch (err) {
    if (err instanceof DuplicateError) throw new BootstrapError(`a staff member with this ${err.field} already exists`);
    if (uniqueViolation(err) !== null) throw new BootstrapError('a staff member with this username or e-mail exists');
    throw err;
  }
}

/**
 * Creates the configured bootstrap admin when no admin exists. Returns the new staff id, or null
 * when nothing was configured or an admin already exists. Throws `BootstrapError` when the
 * configuration cannot be honoured (invalid identity; weak password in production).
 */
export async function ensureBootstrapAdmin(deps: BootstrapDeps, config: Config): Promise<number | null> {
  if (!config.bootstrapAdmin) return null;
  const input = canonical(config.bootstrapAdmin);
  const problems = problemsOf(input, config.identity.passwordMinLength.staff);
  if (problems.identity.length > 0) {
    throw new BootstrapError(`BOOTSTRAP_ADMIN: ${problems.identity.join('; ')}`);
  }
  // A weak secret in a production environment is refused even once an admin exists (AU-8).
  if (problems.password && config.isProduction) {
    throw new BootstrapError(`BOOTSTRAP_ADMIN_PASSWORD: ${problems.password}`);
  }
  // Cheap check first: an admin usually exists, and then there is nothing to hash.
  if (await new StaffAdmins(deps).exists()) return null;
  if (problems.password) {
    deps.log?.warn({}, 'the bootstrap admin password does not meet the password policy (accepted outside production)');
  }
  const id = await insertAdmin(deps, input, 'bootstrap', true);
  if (id !== null) deps.log?.info({ staffId: id }, 'bootstrap admin created');
  return id;
}

/** Everything wrong with an admin's username, e-mail and password (policy included); empty when fine. */
export function adminInputProblems(raw: AdminInput, minLength: number): string[] {
  const problems = problemsOf(canonical(raw), minLength);
  return [...problems.identity, ...(problems.password ? [problems.password] : [])];
}

/** `diabetify create-admin`: a new admin account under the password policy. Returns its id. */
export async function createAdminAccount(deps: BootstrapDeps, raw: AdminInput, minLength: number): Promise<number> {
  const problems = adminInputProblems(raw, minLength);
  if (problems.length > 0) throw new BootstrapError(problems.join('; '));
  const input = canonical(raw);
  const id = await insertAdmin(deps, input, 'cli', false);
  if (id === null) throw new BootstrapError('the admin was not created');
  return id;
}
