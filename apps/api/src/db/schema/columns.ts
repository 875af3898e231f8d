/** Column helpers shared by the table files (one definition of "an instant" and of row timestamps). */
import { sql } from 'drizzle-orm';
import { timestamp } from 'drizzle-orm/pg-core';

/** An instant: `timestamptz`, read as a `Date`. */
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** `created_at` / `updated_at`, on every table. */
export const timestamps = {
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
};

/** A SQL list of string literals for a CHECK constraint (`'a', 'b'`); values are our own constants. */
export const sqlList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));
