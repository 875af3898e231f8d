#!/usr/bin/env node
/**
 * Builds the back-office (apps/admin → apps/admin/dist) unless the build is up to date, so `npm start`
 * costs a Vite build only after the back-office sources or the dependencies changed.
 *
 * Up to date = dist/.source-hash equals a SHA-256 over the inputs (paths and contents: index.html,
 * configs, package.json, src/ and public/ without test files, and the root lockfile). A content
 * hash, not mtimes: a checkout or a copy touches every mtime without changing what Vite would emit.
 * The stamp is written only after a successful build (Vite empties dist first), so a failed or
 * interrupted build is retried next time.
 *
 * Usage: node scripts/build-admin.mjs [--force] [--check]   (--check: exit 1 when a build is needed)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const admin = path.join(root, 'apps/admin');
const dist = path.join(admin, 'dist');
const stampFile = path.join(dist, '.source-hash');

const TOP_FILES = ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];
const FOLDERS = ['src', 'public'];
// Test files never reach the bundle: editing them must not cost a rebuild.
const IGNORED = /(\.test\.tsx?$)|(^src\/test\/)/;

function walk(dir, out) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

function sourceHash() {
  const files = TOP_FILES.map((f) => path.join(admin, f)).filter((f) => existsSync(f));
  for (const folder of FOLDERS) walk(path.join(admin, folder), files);
  const rel = files
    .map((f) => path.relative(admin, f).split(path.sep).join('/'))
    .filter((f) => !IGNORED.test(f))
    .sort();
  const hash = createHash('sha256');
  for (const f of rel) {
    hash.update(`${f}\0`);
    hash.update(readFileSync(path.join(admin, f)));
    hash.update('\0');
  }
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex');
}

function upToDate(hash) {
  return (
    existsSync(path.join(dist, 'index.html')) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === hash
  );
}

function main(args) {
  const hash = sourceHash();
  if (!args.includes('--force') && upToDate(hash)) {
    process.stderr.write('back-office build is up to date (apps/admin/dist)\n');
    return 0;
  }
  if (args.includes('--check')) {
    process.stderr.write('back-office build is missing or stale: run npm run build:admin\n');
    return 1;
  }
  process.stderr.write('building the back-office (apps/admin → apps/admin/dist)…\n');
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['run', '-w', '@diabetify/admin', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write(`back-office build failed (exit ${run.status ?? run.signal})\n`);
    return run.status || 1;
  }
  if (!statSync(path.join(dist, 'index.html'), { throwIfNoEntry: false })?.isFile()) {
    process.stderr.write('back-office build produced no dist/index.html\n');
    return 1;
  }
  writeFileSync(stampFile, `${hash}\n`);
  process.stderr.write(`back-office built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

process.exit(main(process.argv.slice(2)));
