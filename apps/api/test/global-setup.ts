/**
 * Once per test run: build a migrated database template so each test file gets a fresh database
 * quickly. PGlite: a migrated in-memory instance dumped to a tarball (loading it takes well under
 * a second; creating and migrating an instance takes several). PostgreSQL (TEST_DATABASE_URL set):
 * a migrated template database that each test file copies with CREATE DATABASE … TEMPLATE.
 */
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { testEnv } from '../src/config/index.js';
import { createPgliteHandle, createPostgresHandle } from '../src/db/client.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplateDatabase: string | null;
  }
}

export function databaseUrlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs statements one by one on the server's maintenance connection (CREATE/DROP DATABASE). */
export async function onServer(url: string, ...statements: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject) {
  const started = performance.now();
  const client = await PGlite.create();
  const handle = createPgliteHandle(client);
  await handle.migrate();
  const dump = await client.dumpDataDir('none');
  const file = path.join(os.tmpdir(), `diabetify-pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  project.provide('pgliteTemplate', file);

  let template: string | null = null;
  if (testEnv.databaseUrl) {
    template = `diabetify_tpl_${process.pid}`;
    await onServer(testEnv.databaseUrl, `DROP DATABASE IF EXISTS ${template}`, `CREATE DATABASE ${template}`);
    const tpl = createPostgresHandle({
      url: databaseUrlFor(testEnv.databaseUrl, template),
      poolMax: 1,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 30000,
    });
    await tpl.migrate();
    await tpl.close();
  }
  project.provide('pgTemplateDatabase', template);
  console.warn(
    `test databases: PGlite template${template ? ` + PostgreSQL template ${template}` : ''} ready in ${Math.round(performance.now() - started)} ms`,
  );

  return async () => {
    rmSync(file, { force: true });
    if (template && testEnv.databaseUrl) {
      const admin = new pg.Client({ connectionString: testEnv.databaseUrl });
      await admin.connect();
      // Test files drop their own databases; this catches any left by a crashed worker.
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'diabetify_t_${process.pid}_%' OR datname = $1`,
        [template],
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    }
  };
}
