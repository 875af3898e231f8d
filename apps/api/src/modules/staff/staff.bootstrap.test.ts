/**
 * The first admin (modules/staff/staff.bootstrap.ts): created once from BOOTSTRAP_ADMIN_* when no
 * admin exists (also at server start), refused in production with a weak password; and the
 * `diabetify create-admin` command, whose password comes from the environment or stdin, never argv.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { arrayContains, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestDb, testConfig, testKeys } from '../../../test/build-test-app.js';
import { createStaff } from '../../../test/factories.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { type Config, ConfigError, loadConfig } from '../../config/index.js';
import type { DbHandle } from '../../db/client.js';
import { auditEvents, credentials, staff } from '../../db/schema/index.js';
import { startServer } from '../../server.js';
import { type BootstrapDeps, BootstrapError, ensureBootstrapAdmin } from './staff.bootstrap.js';

const ADMIN = { username: 'Jefa.Clinica', email: 'Jefa@Clinic.Example', password: 'glucometro-azul-en-la-mesa' };
const bootstrapEnv = {
  BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
  BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
};

const warnings: string[] = [];

const api = useTestApp();

const deps = (): BootstrapDeps => ({
  db: api.db.db,
  audit: api.app.audit,
  clock: api.app.clock,
  log: { info: () => {}, warn: (_o, msg) => warnings.push(msg) },
});

const admins = (handle: DbHandle = api.db) =>
  handle.db
    .select()
    .from(staff)
    .where(arrayContains(staff.roles, ['admin']));

describe('ensureBootstrapAdmin', () => {
  it('does nothing without BOOTSTRAP_ADMIN_*', async () => {
    expect(await ensureBootstrapAdmin(deps(), testConfig())).toBeNull();
    expect(await admins()).toHaveLength(0);
  });

  it('in production refuses a password that fails the policy, and creates nothing', async () => {
    const prod: Config = {
      ...testConfig(),
      isProduction: true,
      bootstrapAdmin: { username: 'clinicadmin', email: 'ops@clinic.example', password: 'clinicadmin-is-long-enough' },
    };
    await expect(ensureBootstrapAdmin(deps(), prod)).rejects.toThrow(BootstrapError);
    await expect(ensureBootstrapAdmin(deps(), prod)).rejects.toThrow(/BOOTSTRAP_ADMIN_PASSWORD/);
    expect(await admins()).toHaveLength(0);
  });

  it('the configuration itself refuses a default or short bootstrap password in production', () => {
    const env = {
      NODE_ENV: 'production',
      BOOTSTRAP_ADMIN_USERNAME: 'admin',
      BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'admin',
    };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).problems).toContain('the default admin/admin account is refused in production');
    }
  });

  it('refuses an invalid username whatever the mode', async () => {
    const bad = testConfig({ ...bootstrapEnv, BOOTSTRAP_ADMIN_USERNAME: 'no spaces' });
    await expect(ensureBootstrapAdmin(deps(), bad)).rejects.toThrow(/username/);
  });

  it('creates the admin once (run twice, and twice at once), audited as system, with an argon2id credential', async () => {
    const config = testConfig(bootstrapEnv);
    const [first, second] = await Promise.all([
      ensureBootstrapAdmin(deps(), config),
      ensureBootstrapAdmin(deps(), config),
    ]);
    const third = await ensureBootstrapAdmin(deps(), config);
    const created = [first, second, third].filter((id) => id !== null);
    expect(created).toHaveLength(1);
    const rows = await admins();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: created[0],
      username: 'jefa.clinica',
      email: 'jefa@clinic.example',
      roles: ['admin'],
    });
    const [cred] = await api.db.db
      .select()
      .from(credentials)
      .where(eq(credentials.staffId, created[0] ?? 0));
    expect(cred?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const audit = await api.db.db.select().from(auditEvents).where(eq(auditEvents.action, 'staff.create'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorRole: 'system',
      actorId: null,
      resourceId: String(created[0]),
      outcome: 'success',
    });
    expect(audit[0]?.details).toMatchObject({ source: 'bootstrap' });
    const login = await api.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { identifier: 'JEFA.CLINICA', password: ADMIN.password },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.roles).toEqual(['admin']);
  });

  it('outside production a weak password (demo admin/admin) is accepted with a warning', async () => {
    const other = await createTestDb();
    try {
      const config = testConfig({
        BOOTSTRAP_ADMIN_USERNAME: 'admin',
        BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
        BOOTSTRAP_ADMIN_PASSWORD: 'admin',
      });
      warnings.length = 0;
      const id = await ensureBootstrapAdmin({ ...deps(), db: other.db }, config);
      expect(id).not.toBeNull();
      expect(warnings.join('\n')).toMatch(/password policy/);
      expect(await admins(other)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

describe('at server start', () => {
  it('startServer creates the configured admin when none exists, and not again on the next start', async () => {
    const fresh = await createTestDb();
    try {
      for (let run = 0; run < 2; run++) {
        const server = await startServer(testConfig({ PORT: '0', ...bootstrapEnv }), {
          db: fresh,
          keys: await testKeys(),
          signals: [],
          exit: () => {},
        });
        await server.shutdown('test');
      }
      const rows = await admins(fresh);
      expect(rows.map((r) => r.username)).toEqual(['jefa.clinica']);
    } finally {
      await fresh.close();
    }
  });

  it('an existing admin means no bootstrap admin is created', async () => {
    const fresh = await createTestDb();
    try {
      await createStaff(fresh.db, { roles: ['admin'], username: 'existing.admin' });
      const created = await ensureBootstrapAdmin({ ...deps(), db: fresh.db }, testConfig(bootstrapEnv));
      expect(created).toBeNull();
      // In production a weak bootstrap secret is refused even though it would not be used.
      const weak = { ...bootstrapEnv, BOOTSTRAP_ADMIN_PASSWORD: 'jefa.clinica-2026-xyz' };
      const prod: Config = { ...testConfig(weak), isProduction: true };
      await expect(ensureBootstrapAdmin({ ...deps(), db: fresh.db }, prod)).rejects.toThrow(BootstrapError);
      expect((await admins(fresh)).map((r) => r.username)).toEqual(['existing.admin']);
    } finally {
      await fresh.close();
    }
  });
});

const apiRoot = fileURLToPath(new URL('../../..', import.meta.url));

function cli(args: string[], env: Record<string, string>, stdin?: string) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(apiRoot, 'src/cli.ts'), ...args], {
      cwd: apiRoot,
      env: { ...process.env, NODE_ENV: 'development', DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin ?? '');
  });
}

describe('diabetify create-admin', () => {
  it('creates admins from DIABETIFY_ADMIN_PASSWORD or stdin, never argv, under the password policy', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'diabetify-create-admin-'));
    const env = { DATA_DIR: dataDir };
    const password = 'la-clave-del-admin-2026';

    const fromEnv = await cli(['create-admin', '--username', 'Root.Ops', '--email', 'root@clinic.example'], {
      ...env,
      DIABETIFY_ADMIN_PASSWORD: password,
    });
    expect(fromEnv.code, fromEnv.err).toBe(0);
    expect(fromEnv.out).toMatch(/created admin root\.ops \(staff id \d+\)/);

    const fromStdin = await cli(
      ['create-admin', '--username', 'second', '--email', 'second@clinic.example', '--name', 'Segunda'],
      env,
      `${password}\n`,
    );
    expect(fromStdin.code, fromStdin.err).toBe(0);

    const inArgv = await cli(
      ['create-admin', '--username', 'third', '--email', 'third@clinic.example', '--password', password],
      env,
    );
    expect(inArgv.code).toBe(2);
    expect(inArgv.err).toMatch(/never from arguments/);

    const weak = await cli(['create-admin', '--username', 'fourth', '--email', 'fourth@clinic.example'], {
      ...env,
      DIABETIFY_ADMIN_PASSWORD: 'short',
    });
    expect(weak.code).toBe(1);
    expect(weak.err).toMatch(/password must be at least 12/);

    const taken = await cli(['create-admin', '--username', 'root.ops', '--email', 'other@clinic.example'], {
      ...env,
      DIABETIFY_ADMIN_PASSWORD: password,
    });
    expect(taken.code).toBe(1);
    expect(taken.err).toMatch(/already exists/);

    for (const run of [fromEnv, fromStdin, inArgv, weak, taken]) expect(run.out + run.err).not.toContain(password);

    const client = await PGlite.create(path.join(dataDir, 'pglite'));
    try {
      const people = await client.query<{ username: string; name: string; roles: string[]; password_hash: string }>(
        `select s.username, s.name, s.roles, c.password_hash from staff s join credentials c on c.staff_id = s.id order by s.id`,
      );
      expect(people.rows.map((r) => [r.username, r.name, r.roles])).toEqual([
        ['root.ops', 'Administrator', ['admin']],
        ['second', 'Segunda', ['admin']],
      ]);
      for (const r of people.rows) expect(r.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      const audit = await client.query<{ actor_role: string; details: { source: string } }>(
        `select actor_role, details from audit_events where action = 'staff.create' order by id`,
      );
      expect(audit.rows.map((r) => [r.actor_role, r.details.source])).toEqual([
        ['system', 'cli'],
        ['system', 'cli'],
      ]);
    } finally {
      await client.close();
    }
  }, 120_000);
});
