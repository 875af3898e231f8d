/**
 * Staff accounts (admin only): list, create, read, update (e-mail, name, roles, blocked), and a
 * staff member's own name via `/v1/me`. Access tokens carry roles, so a change of roles and a
 * block revoke every session of that person in the same transaction. An admin cannot remove their
 * own admin role nor block themselves (409), so the clinic is not left without an admin by accident.
 */
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { AuditOrigin, AuditRecorder } from '../../lib/audit.js';
import type { Actor } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import type { PasswordService } from '../auth/auth.password.service.js';
import type { Recipient } from '../auth/auth.password-tokens.js';
import { hashPassword, passwordProblem } from '../auth/auth.passwords.js';
import type { SessionService } from '../auth/auth.sessions.js';
import { DuplicateError, uniqueViolation } from '../patients/patients.errors.js';
import * as repo from './staff.repository.js';
import type { CreateStaffBody, StaffListQuery, StaffMember, StaffSelfBody, UpdateStaffBody } from './staff.schema.js';

export interface StaffDeps {
  db: Database;
  audit: AuditRecorder;
  events: Events;
  sessions: SessionService;
  /** The auth module's password use cases (the legacy own-password change replaces one). */
  passwords: Pick<PasswordService, 'replaceInTransaction'>;
  clock: Clock;
  passwordMinLength: number;
  invite(tx: Executor, to: Recipient): Promise<void>;
  /** Queues the "your password was changed" e-mail in `tx` (sent after the commit). */
  notifyPasswordChanged?(tx: Executor, to: { email: string; name: string }, at: Date): Promise<void>;
}

export function toStaffMember(row: repo.StaffWithMfa): StaffMember {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    name: row.name,
    roles: row.roles as StaffMember['roles'],
    blocked: row.blocked,
    mfaEnabled: row.mfaEnabled,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const STAFF_CONSTRAINTS: Record<string, 'username' | 'email'> = {
  staff_username_unique: 'username',
  staff_email_unique: 'email',
};

function rethrowStaffConflict(err: unknown): never {
  const constraint = uniqueViolation(err);
  const field = constraint === null ? undefined : STAFF_CONSTRAINTS[constraint];
  if (field) throw new DuplicateError(field, 'staff member');
  throw err;
}

/** The password policy for staff; throws 400 naming `body.password`. */
export function assertStaffPassword(password: string, minLength: number, username: string, email: string): void {
  const problem = passwordProblem(password, { kind: 'staff', minLength, identifiers: [username, email] });
  if (problem) throw new ValidationError({ 'body.password': problem }, 'The password is not acceptable.');
}

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((r) => b.includes(r));

export class StaffService {
  constructor(private readonly d: StaffDeps) {}

  async list(query: StaffListQuery) {
    const page = query.page ?? 1;
    const perPage = query.perPage ?? 20;
    const filters = { q: query.q, role: query.role, blocked: query.blocked };
    const { rows, total } = await repo.listStaff(
      this.d.db,
      filters,
      query.sort ?? 'username',
      perPage,
      (page - 1) * perPage,
    );
    return { data: rows.map(toStaffMember), total };
  }

  async read(id: number): Promise<StaffMember> {
    const row = await repo.findStaff(this.d.db, id);
    if (!row) throw new NotFoundError('staff member');
    return toStaffMember(row);
  }

  async create(origin: AuditOrigin, input: CreateStaffBody): Promise<StaffMember> {
    if (input.password !== undefined) {
      assertStaffPassword(input.password, this.d.passwordMinLength, input.username, input.email);
    }
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const now = this.d.clock.now();
    try {
      const id = await withTransaction(this.d.db, async (tx) => {
        const taken = await repo.findStaffConflict(tx, input);
        if (taken) throw new DuplicateError(taken, 'staff member');
        const { row, credentialId } = await repo.insertStaffWithCredential(
          tx,
          { username: input.username, email: input.email, name: input.name, roles: [...input.roles] },
          passwordHash,
          now,
        );
        if (!passwordHash) await this.d.invite(tx, { credentialId, email: row.email, name: row.name });
        await this.d.audit.record(tx, {
          ...origin,
          action: 'staff.create',
          resourceType: 'staff',
          resourceId: row.id,
          outcome: 'success',
          details: { roles: row.roles, passwordSet: passwordHash !== null, invited: passwordHash === null },
        });
        await this.d.events.publishAfterCommit(tx, 'staff', 'created', { staffId: row.id });
        return row.id;
      });
      return await this.read(id);
    } catch (err) {
      rethrowStaffConflict(err);
    }
  }

  async update(actor: Actor, origin: AuditOrigin, id: number, patch: UpdateStaffBody): Promise<StaffMember> {
    const self = actor.kind === 'staff' && actor.id === id;
    if (self && patch.roles && !patch.roles.includes('admin')) {
      throw new ConflictError('self_lockout', 'You cannot remove your own admin role; ask another admin.');
    }
    if (self && patch.blocked === true) {
      throw new ConflictError('self_lockout', 'You cannot block yourself; ask another admin.');
    }
    try {
      await withTransaction(this.d.db, async (tx) => {
        const current = await repo.lockStaff(tx, id);
        if (!current) throw new NotFoundError('staff member');
        const changes: repo.StaffChanges = {};
        const changed: string[] = [];
        if (patch.email !== undefined && patch.email !== current.email) {
          changes.email = patch.email;
          changed.push('email');
        }
        if (patch.name !== undefined && patch.name !== current.name) {
          changes.name = patch.name;
          changed.push('name');
        }
        const rolesChanged = patch.roles !== undefined && !sameRoles(patch.roles, current.roles);
        if (rolesChanged && patch.roles) {
          changes.roles = [...patch.roles];
          changed.push('roles');
        }
        const blockedChanged = patch.blocked !== undefined && patch.blocked !== current.blocked;
        if (blockedChanged && patch.blocked !== undefined) {
          changes.blocked = patch.blocked;
          changed.push('blocked');
        }
        const taken = await repo.findStaffConflict(tx, { email: changes.email }, id);
        if (taken) throw new DuplicateError(taken, 'staff member');
        if (changed.length > 0) await repo.updateStaff(tx, id, { ...changes, updatedAt: this.d.clock.now() });
        let revoked = 0;
        const credentialId = await repo.credentialIdOfStaff(tx, id);
        const revokeReason = changes.blocked === true ? 'blocked' : rolesChanged ? 'roles_changed' : null;
        if (revokeReason && credentialId !== null) {
          revoked = await this.d.sessions.revokeAll(tx, credentialId, revokeReason, origin);
        }
        await this.d.audit.record(tx, {
          ...origin,
          action: 'staff.update',
          resourceType: 'staff',
          resourceId: id,
          outcome: 'success',
          details: {
            changed,
            ...(rolesChanged ? { rolesBefore: current.roles, rolesAfter: changes.roles } : {}),
            revokedSessions: revoked,
          },
        });
        if (changed.length > 0) {
          const type = blockedChanged ? (changes.blocked ? 'blocked' : 'unblocked') : 'updated';
          await this.d.events.publishAfterCommit(tx, 'staff', type, { staffId: id });
        }
      });
    } catch (err) {
      rethrowStaffConflict(err);
    }
    return this.read(id);
  }

  /** A staff member's own name (`PATCH /v1/me`). */
  async updateSelf(actor: Actor, origin: AuditOrigin, patch: StaffSelfBody): Promise<StaffMember> {
    await withTransaction(this.d.db, async (tx) => {
      const current = await repo.lockStaff(tx, actor.id);
      if (!current) throw new NotFoundError('staff member');
      const changed = patch.name !== current.name ? ['name'] : [];
      if (changed.length > 0) await repo.updateStaff(tx, actor.id, { name: patch.name, updatedAt: this.d.clock.now() });
      await this.d.audit.record(tx, {
        ...origin,
        action: 'staff.update',
        resourceType: 'staff',
        resourceId: actor.id,
        outcome: 'success',
        details: { changed, via: 'me' },
      });
      if (changed.length > 0) await this.d.events.publishAfterCommit(tx, 'staff', 'updated', { staffId: actor.id });
    });
    return this.read(actor.id);
  }

  /** The staff member signing in as `username` (canonical lower-case), or null. */
  async findByUsername(username: string): Promise<StaffMember | null> {
    const row = await repo.findStaffByUsername(this.d.db, username);
    return row ? toStaffMember(row) : null;
  }

  /**
   * Sets the caller's own password WITHOUT the current one: only for the legacy back-office's
   * `PUT /admin/password?new_password=`, whose clients never send it (legacy-compat.md §B). The
   * /v1 change (PasswordService.change) requires it (AU-4); here the live session is the only
   * proof, so the rest is kept: the staff policy, argon2id, outstanding reset links burnt, every
   * other session ended, the owner e-mailed, and the audit row says the current password was
   * not checked.
   */
  async setOwnPasswordUnverified(
    actor: Actor,
    origin: AuditOrigin,
    newPassword: string,
    keepSessionId?: string,
  ): Promise<void> {
    if (actor.kind !== 'staff') throw new NotFoundError('staff member');
    const current = await repo.findStaff(this.d.db, actor.id);
    const credentialId = current ? await repo.credentialIdOfStaff(this.d.db, actor.id) : null;
    if (!current || credentialId === null) throw new NotFoundError('staff member');
    assertStaffPassword(newPassword, this.d.passwordMinLength, current.username, current.email);
    // Hash outside the transaction: argon2 must not hold row locks (or PGlite's one connection).
    const hash = await hashPassword(newPassword);
    const now = this.d.clock.now();
    await withTransaction(this.d.db, async (tx) => {
      const retiredTokens = await this.d.passwords.replaceInTransaction(tx, credentialId, hash, now);
      const revokedSessions = await this.d.sessions.revokeAll(
        tx,
        credentialId,
        'password_change',
        origin,
        keepSessionId,
      );
      await this.d.audit.record(tx, {
        ...origin,
        action: 'auth.password_change',
        resourceType: 'staff',
        resourceId: actor.id,
        outcome: 'success',
        details: { currentPasswordChecked: false, via: 'legacy', revokedSessions, retiredTokens },
      });
      await this.d.notifyPasswordChanged?.(tx, { email: current.email, name: current.name }, now);
    });
  }
}

/**
 * Admin accounts created outside any request: the bootstrap admin at start-up and `diabetify
 * create-admin` (staff.bootstrap.ts). Needs no sessions or events (nobody is signed in yet); the
 * audit row says `system` did it, in the same transaction as the insert.
 */
export class StaffAdmins {
  constructor(private readonly d: { db: Database; audit: AuditRecorder; clock: Clock }) {}

  exists(): Promise<boolean> {
    return repo.adminExists(this.d.db);
  }

  /**
   * Inserts an admin with an already hashed password. `onlyIfNoAdmin`: several instances starting
   * at once serialise on an advisory lock and only the first creates it (null for the others).
   * Throws `DuplicateError` when the username or e-mail is taken.
   */
  async create(
    input: { username: string; email: string; name: string },
    passwordHash: string,
    source: 'bootstrap' | 'cli',
    onlyIfNoAdmin: boolean,
  ): Promise<number | null> {
    return withTransaction(this.d.db, async (tx) => {
      if (onlyIfNoAdmin) {
        await repo.lockAdminBootstrap(tx);
        if (await repo.adminExists(tx)) return null;
      }
      const taken = await repo.findStaffConflict(tx, input);
      if (taken) throw new DuplicateError(taken, 'staff member');
      const { row } = await repo.insertStaffWithCredential(
        tx,
        { ...input, roles: ['admin'] },
        passwordHash,
        this.d.clock.now(),
      );
      await this.d.audit.record(tx, {
        actor: { id: null, role: 'system' },
        action: 'staff.create',
        resourceType: 'staff',
        resourceId: row.id,
        outcome: 'success',
        details: { source, roles: ['admin'], passwordSet: true },
      });
      return row.id;
    });
  }
}
