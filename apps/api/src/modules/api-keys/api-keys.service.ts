/**
 * Device API keys (api.md: `/v1/patients/:id/api-keys`): a patient's meters and apps write
 * readings with a long-lived key instead of a user session. Keys are `dk_<prefix>_<secret>`: 256
 * bits of CSPRNG, stored only as a keyed hash (tokenHash), the prefix kept to recognise them. The key
 * is shown once, at creation or rotation. Rotation gives a new key and lets the old one work 24 h
 * more, so a device can be reconfigured without a gap. Every change is audited with the patient id.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import { type Secrets, tokenHash } from '../auth/auth.secrets.js';
import * as repo from './api-keys.repository.js';
import { SCOPES } from './api-keys.schema.js';

export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** Active keys per patient: a phone, a meter or two, a CGM bridge — not hundreds. */
export const MAX_ACTIVE_KEYS = 20;
const DAY_MS = 86_400_000;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Who is acting (structurally `request.principal`). */
export interface KeyActor {
  kind: 'patient' | 'staff' | 'device';
  id: number;
  roles: readonly string[];
}

export interface ApiKeyDeps {
  db: Database;
  clock: Clock;
  secrets: Secrets;
  audit: AuditService;
}

export function newApiKey(): { prefix: string; key: string } {
  const prefix = Array.from({ length: 8 }, () => PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)]).join('');
  return { prefix, key: `dk_${prefix}_${randomBytes(32).toString('base64url')}` };
}

function expiryOf(now: Date, days: number | undefined): Date | null {
  return days ? new Date(now.getTime() + days * DAY_MS) : null;
}

export function toApiKey(row: repo.ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export class ApiKeyService {
  constructor(private readonly d: ApiKeyDeps) {}

  /**
   * The patient themself or an admin; anyone else's patient, existing or not, is 404 (AZ-2).
   * Other staff never get here (route policy), but the service does not rely on it.
   */
  private async assertManager(actor: KeyActor | null, patientId: number): Promise<void> {
    if (actor?.kind === 'patient' && actor.id === patientId) return;
    if (actor?.kind === 'staff' && actor.roles.includes('admin')) {
      if (await repo.patientExists(this.d.db, patientId)) return;
      throw new NotFoundError('patient');
    }
    if (actor?.kind === 'patient') throw new NotFoundError('patient');
    throw new ForbiddenError();
  }

  private async assertRoom(tx: Executor, patientId: number, now: Date): Promise<void> {
    await repo.lockPatient(tx, patientId);
    if ((await repo.countActive(tx, patientId, now)) >= MAX_ACTIVE_KEYS) {
      throw new ConflictError('api_key_limit', `A patient can have at most ${MAX_ACTIVE_KEYS} active keys.`);
    }
  }

  private creatorRole(actor: KeyActor): string {
    return actor.kind === 'patient' ? 'patient' : 'admin';
  }

  /** The row of a freshly issued key: create and rotate store it the same way, only name and scopes differ. */
  private insertIssued(
    tx: Executor,
    by: KeyActor,
    patientId: number,
    issued: ReturnType<typeof newApiKey>,
    now: Date,
    key: { name: string; scopes: string[]; expiresInDays?: number },
  ) {
    return repo.insertKey(tx, {
      patientId,
      name: key.name,
      prefix: issued.prefix,
      keyHash: tokenHash(this.d.secrets, issued.key),
      scopes: key.scopes,
      createdByRole: this.creatorRole(by),
      createdById: by.id,
      createdAt: now,
      expiresAt: expiryOf(now, key.expiresInDays),
    });
  }

  async create(
    actor: KeyActor | null,
    patientId: number,
    body: { name: string; expiresInDays?: number },
    origin: AuditOrigin,
  ) {
    await this.assertManager(actor, patientId);
    const by = actor as KeyActor;
    const now = this.d.clock.now();
    const issued = newApiKey();
    const row = await withTransaction(this.d.db, async (tx) => {
      await this.assertRoom(tx, patientId, now);
      const inserted = await this.insertIssued(tx, by, patientId, issued, now, {
        name: body.name,
        scopes: [...SCOPES],
        expiresInDays: body.expiresInDays,
      });
      await this.d.audit.record(tx, {
        ...origin,
        action: 'api_keys.create',
        resourceType: 'api_key',
        resourceId: inserted.id,
        patientId,
        outcome: 'success',
        details: { prefix: inserted.prefix, expiresInDays: body.expiresInDays ?? null },
      });
      return inserted;
    });
    return { ...toApiKey(row), key: issued.key };
  }

  async list(actor: KeyActor | null, patientId: number, page: number, perPage: number) {
    await this.assertManager(actor, patientId);
    const { rows, total } = await repo.listKeys(this.d.db, patientId, perPage, (page - 1) * perPage);
    return { data: rows.map(toApiKey), total };
  }

  /** Revokes at once. Revoking a revoked key changes nothing and answers the same. */
  async revoke(actor: KeyActor | null, patientId: number, keyId: number, origin: AuditOrigin) {
    await this.assertManager(actor, patientId);
    const now = this.d.clock.now();
    const row = await withTransaction(this.d.db, async (tx) => {
      const revoked = await repo.revokeKey(tx, patientId, keyId, now);
      if (!revoked) return null;
      await this.d.audit.record(tx, {
        ...origin,
        action: 'api_keys.revoke',
        resourceType: 'api_key',
        resourceId: keyId,
        patientId,
        outcome: 'success',
        details: { prefix: revoked.prefix },
      });
      return revoked;
    });
    if (row) return toApiKey(row);
    const existing = await repo.findKey(this.d.db, patientId, keyId);
    if (!existing) throw new NotFoundError('API key');
    return toApiKey(existing);
  }

  /**
   * A new key with the same name and scopes (and `expiresInDays` from now when given); the old one
   * works for 24 h more, then expires.
   */
  async rotate(
    actor: KeyActor | null,
    patientId: number,
    keyId: number,
    body: { expiresInDays?: number },
    origin: AuditOrigin,
  ) {
    await this.assertManager(actor, patientId);
    const by = actor as KeyActor;
    const now = this.d.clock.now();
    const issued = newApiKey();
    const created = await withTransaction(this.d.db, async (tx) => {
      const old = await repo.findKey(tx, patientId, keyId, true);
      if (!old) throw new NotFoundError('API key');
      if (old.revokedAt || (old.expiresAt && old.expiresAt.getTime() <= now.getTime())) {
        throw new ConflictError('api_key_inactive', 'Only an active key can be rotated.');
      }
      await this.assertRoom(tx, patientId, now);
      const overlapEnd = new Date(now.getTime() + ROTATION_OVERLAP_MS);
      const oldEnd = old.expiresAt && old.expiresAt < overlapEnd ? old.expiresAt : overlapEnd;
      await repo.setExpiry(tx, old.id, oldEnd);
      const inserted = await this.insertIssued(tx, by, patientId, issued, now, {
        name: old.name,
        scopes: old.scopes,
        expiresInDays: body.expiresInDays,
      });
      await this.d.audit.record(tx, {
        ...origin,
        action: 'api_keys.rotate',
        resourceType: 'api_key',
        resourceId: old.id,
        patientId,
        outcome: 'success',
        details: {
          newKeyId: inserted.id,
          prefix: inserted.prefix,
          oldExpiresAt: oldEnd.toISOString(),
          expiresInDays: body.expiresInDays ?? null,
        },
      });
      return inserted;
    });
    return { ...toApiKey(created), key: issued.key };
  }
}
