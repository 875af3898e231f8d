/**
 * The back-office's component and unit tests (jsdom), a project of the root Vitest run: `npm test`
 * runs them with the API's tests; `npx vitest run apps/admin/src/...` runs one file. The browser
 * suite (apps/admin/e2e) has its own config and script.
 */
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'admin',
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    pool: 'forks',
    testTimeout: 30_000,
    setupFiles: ['src/test/setup.ts'],
  },
});
