import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run on the sources; the contracts package is built only for the compiled server.
    alias: { '@diabetify/contracts': fileURLToPath(new URL('./packages/contracts/src/index.ts', import.meta.url)) },
  },
  test: {
    include: [
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'bench/src/**/*.test.ts',
    ],
    globalSetup: ['apps/api/test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Two projects: this config as is (Node, the API's database template) minus the back-office,
    // whose component tests run in jsdom under their own config.
    projects: [
      {
        extends: true,
        test: { name: 'node', exclude: [...configDefaults.exclude, 'apps/admin/**'] },
      },
      'apps/admin/vitest.config.ts',
    ],
  },
});
