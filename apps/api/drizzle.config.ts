import { defineConfig } from 'drizzle-kit';

// Used only by `npm run db:generate`; the server applies the generated SQL itself.
export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/api/src/db/schema/index.ts',
  out: './apps/api/drizzle',
});
