/**
 * Opaque keyset cursors. Clients must treat them as strings; we encode the key tuple as
 * base64url JSON and validate its shape on the way back in (a forged cursor is a 400, never a 500).
 */
import { ValidationError } from './errors.js';

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<T extends readonly ('string' | 'number')[]>(
  cursor: string,
  shape: T,
  field = 'cursor',
): { [K in keyof T]: T[K] extends 'number' ? number : string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError({ [field]: 'is not a valid cursor' });
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === shape.length &&
    parsed.every((v, i) => (shape[i] === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && v.length <= 64));
  if (!ok) throw new ValidationError({ [field]: 'is not a valid cursor' });
  return parsed as never;
}
