/**
 * "Is this error a database (or Redis) that is unreachable right now?" Both error renderers (/v1
 * problem details and the legacy FastAPI shape) answer 503 for it instead of 500.
 */

/** Error codes of the pg driver and server that mean "the database is unavailable right now". */
const DB_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '25006',
]);

const DEPENDENCY_DOWN_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connection timeout|Stream isn.t writeable|Connection is closed|Command timed out/i;

/** Walks the `cause` chain: the query builder wraps driver errors ("Failed query: …"). */
export function isDependencyDown(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && DB_UNAVAILABLE.has(e.code)) return true;
  if (typeof e.message === 'string' && DEPENDENCY_DOWN_MESSAGE.test(e.message)) return true;
  return isDependencyDown(e.cause, depth + 1);
}
