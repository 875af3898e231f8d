import { fileURLToPath } from 'node:url';

/** Generated SQL migrations live beside `src/` and `dist/`, so both resolve the same folder. */
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
