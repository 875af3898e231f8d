/**
 * The browser suite: real server (compiled, embedded database seeded by `diabetify seed`), Debian
 * Chromium driven by playwright-core. One fork, files one after another: they share the server
 * and a single machine's CPU, and some tests wait for a 20 s access token to expire.
 * Run with `npm run test:e2e` (builds first); see README.md here.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'e2e',
    include: ['**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['./global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
