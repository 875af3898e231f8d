/**
 * One transaction per mutation (architecture rule 4), with work that must happen only after the
 * commit (publishing events) registered on the transaction and run once it has committed.
 * A rollback drops the registered work.
 */
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Database, Executor, Transaction } from './client.js';

type AfterCommit = () => void | Promise<void>;

const pending = new WeakMap<object, AfterCommit[]>();

export type AfterCommitErrorSink = (err: unknown) => void;

export async function withTransaction<T>(
  db: Database,
  fn: (tx: Transaction) => Promise<T>,
  onAfterCommitError: AfterCommitErrorSink = () => {},
): Promise<T> {
  const callbacks: AfterCommit[] = [];
  const result = await db.transaction(async (tx) => {
    pending.set(tx, callbacks);
    try {
      return await fn(tx);
    } finally {
      pending.delete(tx);
    }
  });
  for (const cb of callbacks) {
    try {
      await cb();
    } catch (err) {
      // The data is committed; a failing side effect must not turn the response into an error.
      onAfterCommitError(err);
    }
  }
  return result;
}

/**
 * Runs `cb` after the transaction `executor` commits. When `executor` is not a transaction opened
 * by `withTransaction` (the plain database), there is nothing to wait for and `cb` runs now.
 */
export async function afterCommit(executor: Executor, cb: AfterCommit): Promise<void> {
  const list = pending.get(executor);
  if (list) list.push(cb);
  else if (executor instanceof PgTransaction) {
    // An untracked transaction could still roll back: refuse rather than publish too early.
    throw new Error('afterCommit needs a transaction opened with withTransaction()');
  } else await cb();
}

export function isTrackedTransaction(executor: Executor): boolean {
  return pending.has(executor);
}
