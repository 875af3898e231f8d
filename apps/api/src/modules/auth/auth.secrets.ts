/**
 * Symmetric secrets: the HMAC key that derives refresh-token successors and hashes opaque tokens,
 * and the AES key that encrypts TOTP secrets at rest. Production takes them from config (checked
 * at boot); development generates them once into `DATA_DIR/keys/secrets.json`.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/index.js';

export interface Secrets {
  tokenHmac: Buffer;
  mfaKey: Buffer;
}

export function loadSecrets(config: Config): Secrets {
  const fromConfig = (v: string | undefined) => (v ? Buffer.from(v, 'base64') : undefined);
  let tokenHmac = fromConfig(config.identity.tokenHmacSecret);
  let mfaKey = fromConfig(config.identity.mfaEncryptionKey);
  if (tokenHmac && mfaKey) return { tokenHmac, mfaKey: mfaKey.subarray(0, 32) };
  if (config.isProduction) throw new Error('TOKEN_HMAC_SECRET and MFA_ENCRYPTION_KEY are required in production');
  const file = path.join(config.dataDir, 'keys', 'secrets.json');
  let stored: { tokenHmac: string; mfaKey: string };
  try {
    stored = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    stored = { tokenHmac: randomBytes(32).toString('base64'), mfaKey: randomBytes(32).toString('base64') };
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  }
  tokenHmac ??= Buffer.from(stored.tokenHmac, 'base64');
  mfaKey ??= Buffer.from(stored.mfaKey, 'base64');
  return { tokenHmac, mfaKey: mfaKey.subarray(0, 32) };
}

export function testSecrets(): Secrets {
  return { tokenHmac: randomBytes(32), mfaKey: randomBytes(32) };
}

/** A new opaque token: 256 bits of CSPRNG, base64url. */
export function newOpaqueToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** How opaque tokens are stored: keyed hash, so a database dump alone cannot test guesses. */
export function tokenHash(secrets: Secrets, token: string): string {
  return createHmac('sha256', secrets.tokenHmac).update(token).digest('hex');
}

/** AES-256-GCM; output `iv.tag.ciphertext` in base64url. */
export function encrypt(secrets: Secrets, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secrets.mfaKey, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

export function decrypt(secrets: Secrets, sealed: string): string {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', secrets.mfaKey, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
