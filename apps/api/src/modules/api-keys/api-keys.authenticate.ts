/**
 * Device API key check for the auth hook (plugins/auth.ts): a `dk_…` key is looked up by its keyed
 * hash on every request (no cache, so a revocation takes effect at once on every instance) and must
 * be unrevoked, unexpired, and belong to a patient who is not blocked. `last_used_at` is written at
 * most once a minute per key, not once per request.
 */
import type { Database } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { type Secrets, tokenHash } from '../auth/auth.secrets.js';
import { findByHash, touchKey } from './api-keys.repository.js';

/** `dk_` + 8-character prefix + `_` + 32 random bytes in base64url. */
export const API_KEY_FORMAT = /^dk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/;
export const LAST_USED_RESOLUTION_MS = 60_000;

export type DeviceKeyResult =
  | { ok: true; apiKeyId: number; patientId: number }
  | { ok: false; reason: 'api_key_unknown'; apiKeyId?: undefined }
  | { ok: false; reason: 'api_key_revoked' | 'api_key_expired' | 'patient_blocked'; apiKeyId: number };

export class DeviceKeyAuthenticator {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly secrets: Secrets,
  ) {}

  async authenticate(key: string): Promise<DeviceKeyResult> {
    if (!API_KEY_FORMAT.test(key)) return { ok: false, reason: 'api_key_unknown' };
    const row = await findByHash(this.db, tokenHash(this.secrets, key));
    if (!row) return { ok: false, reason: 'api_key_unknown' };
    const now = this.clock.now();
    if (row.revokedAt) return { ok: false, reason: 'api_key_revoked', apiKeyId: row.id };
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
      return { ok: false, reason: 'api_key_expired', apiKeyId: row.id };
    }
    if (row.blocked) return { ok: false, reason: 'patient_blocked', apiKeyId: row.id };
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await touchKey(this.db, row.id, now, LAST_USED_RESOLUTION_MS);
    }
    return { ok: true, apiKeyId: row.id, patientId: row.patientId };
  }
}
