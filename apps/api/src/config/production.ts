/**
 * What makes a production deployment unsafe (security.md CF-1, AU-8, DP-7, DP-8). Kept as one list
 * across the sections, in one fixed order, so an operator reads every problem in one round.
 */
import type { Env } from './env.js';
import { DEFAULT_PASSWORDS, list } from './parse.js';

export function productionProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!env.JWT_PRIVATE_KEY) problems.push('JWT_PRIVATE_KEY is required in production (Ed25519 PEM or JWK)');
  else if (env.JWT_PRIVATE_KEY.length < 64) problems.push('JWT_PRIVATE_KEY is too short to be a real Ed25519 key');
  if (!env.DATABASE_URL) problems.push('DATABASE_URL is required in production (the embedded database is for demos)');
  else {
    try {
      const password = decodeURIComponent(new URL(env.DATABASE_URL).password);
      if (password === '' || DEFAULT_PASSWORDS.has(password.toLowerCase()))
        problems.push('DATABASE_URL uses an empty or default password');
    } catch {
      problems.push('DATABASE_URL is not a valid URL');
    }
  }
  if (!env.PUBLIC_WEB_ORIGIN) problems.push('PUBLIC_WEB_ORIGIN is required in production (links in e-mails)');
  for (const name of ['TOKEN_HMAC_SECRET', 'MFA_ENCRYPTION_KEY'] as const) {
    const value = env[name];
    if (!value) problems.push(`${name} is required in production (32 random bytes, base64)`);
    else if (Buffer.from(value, 'base64').length < 32)
      problems.push(`${name} must decode to at least 32 bytes (base64)`);
  }
  if (!env.SMTP_URL) problems.push('SMTP_URL is required in production (password reset and notifications)');
  const origins = list(env.CORS_ORIGINS);
  if (origins.some((o) => o === '*' || o.includes('*'))) problems.push('CORS_ORIGINS must not contain a wildcard');
  if (list(env.LEGACY_BACKOFFICE_CORS_ORIGINS).some((o) => o.includes('*')))
    problems.push('LEGACY_BACKOFFICE_CORS_ORIGINS must not contain a wildcard (the old gateway allowed every origin)');
  const admin = env.BOOTSTRAP_ADMIN_PASSWORD;
  if (admin !== undefined && (admin.length < 12 || DEFAULT_PASSWORDS.has(admin.toLowerCase())))
    problems.push('BOOTSTRAP_ADMIN_PASSWORD is a default or shorter than 12 characters');
  if (env.BOOTSTRAP_ADMIN_USERNAME?.toLowerCase() === 'admin' && admin?.toLowerCase() === 'admin')
    problems.push('the default admin/admin account is refused in production');
  return problems;
}
