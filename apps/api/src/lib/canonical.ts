/**
 * Canonical forms of identifiers and names (security.md IV-9), applied once before validation so the
 * schema checks, the unique indexes and the lookups all see the same spelling. Shared by every
 * module that accepts a DNI, an e-mail, a username or a name (patients, staff, me, the legacy
 * listeners, the legacy importer).
 */
import type { FastifyRequest } from 'fastify';

export function canonicalDni(raw: string): string {
  return raw.normalize('NFKC').replace(/[.\s-]/g, '');
}

export function canonicalEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

export function canonicalText(raw: string): string {
  return raw.normalize('NFC').trim();
}

const CANONICAL: Record<string, (raw: string) => string> = {
  dni: canonicalDni,
  email: canonicalEmail,
  name: canonicalText,
  surname: canonicalText,
  hospitalAccount: canonicalText,
  username: (raw) => raw.normalize('NFKC').trim().toLowerCase(),
};

/**
 * Rewrites the identifier and name fields of a JSON body to their canonical form, in place.
 * Runs before validation; anything that is not a string is left for the schema to refuse.
 */
export function canonicaliseBody(body: unknown): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const record = body as Record<string, unknown>;
  for (const [field, canonical] of Object.entries(CANONICAL)) {
    const value = record[field];
    if (typeof value === 'string') record[field] = canonical(value);
  }
}

/** `preValidation` hook: identifiers and names to their canonical form before the schema sees them. */
export async function canonicalise(request: FastifyRequest): Promise<void> {
  canonicaliseBody(request.body);
}
