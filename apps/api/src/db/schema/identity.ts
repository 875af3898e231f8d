import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns.js';
import { patients, staff } from './people.js';

/**
 * Login credentials of one person: exactly one of patient/staff (both foreign keys, so a person
 * cannot be deleted from under their sessions). Password null = invited, no password set yet.
 */
export const credentials = pgTable(
  'credentials',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    patientId: bigint('patient_id', { mode: 'number' })
      .unique()
      .references(() => patients.id, { onDelete: 'cascade' }),
    staffId: bigint('staff_id', { mode: 'number' })
      .unique()
      .references(() => staff.id, { onDelete: 'cascade' }),
    passwordHash: text('password_hash'),
    passwordAlgo: text('password_algo'),
    passwordChangedAt: at('password_changed_at'),
    /** TOTP secret, AES-256-GCM encrypted with MFA_ENCRYPTION_KEY. */
    mfaSecretEnc: text('mfa_secret_enc'),
    mfaEnabledAt: at('mfa_enabled_at'),
    /** Last accepted TOTP time step: a code is never accepted twice (replay). */
    mfaLastStep: bigint('mfa_last_step', { mode: 'number' }),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('credentials_owner_ck', sql`num_nonnulls(${t.patientId}, ${t.staffId}) = 1`),
    check(
      'credentials_algo_ck',
      sql`(${t.passwordHash} is null and ${t.passwordAlgo} is null) or ${t.passwordAlgo} in ('argon2id', 'legacy_sha256')`,
    ),
  ],
);

/** A login session = one refresh-token family. `id` is the `sid` claim of its access tokens. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    credentialId: bigint('credential_id', { mode: 'number' })
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    audience: text('audience').notNull(),
    /** How the session was authenticated (`pwd`, `otp`): refreshed access tokens keep it. */
    amr: text('amr').array().notNull().default(sql`array['pwd']::text[]`),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: at('created_at').notNull(),
    lastUsedAt: at('last_used_at').notNull(),
    /** Absolute end of the family, whatever the refreshes. */
    expiresAt: at('expires_at').notNull(),
    revokedAt: at('revoked_at'),
    revokedReason: text('revoked_reason'),
  },
  (t) => [index('sessions_credential_idx').on(t.credentialId).where(sql`${t.revokedAt} is null`)],
);

/** Refresh tokens, stored as SHA-256 only. `rotatedAt` set = used once; using it again is reuse. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: at('created_at').notNull(),
    rotatedAt: at('rotated_at'),
  },
  (t) => [index('refresh_tokens_session_idx').on(t.sessionId)],
);

/** Single-use password reset and invitation (set-password) tokens, hashed. */
export const passwordTokens = pgTable(
  'password_tokens',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    credentialId: bigint('credential_id', { mode: 'number' })
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    purpose: text('purpose').notNull(),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
  },
  (t) => [
    check('password_tokens_purpose_ck', sql`${t.purpose} in ('reset', 'invite')`),
    index('password_tokens_credential_idx').on(t.credentialId),
  ],
);

/** MFA login step-up challenges (`mfaToken`): 5 minutes, single use. */
export const mfaChallenges = pgTable('mfa_challenges', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  credentialId: bigint('credential_id', { mode: 'number' })
    .notNull()
    .references(() => credentials.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  audience: text('audience').notNull(),
  createdAt: at('created_at').notNull(),
  expiresAt: at('expires_at').notNull(),
  usedAt: at('used_at'),
});

export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    credentialId: bigint('credential_id', { mode: 'number' })
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: at('used_at'),
  },
  (t) => [uniqueIndex('mfa_recovery_codes_uq').on(t.credentialId, t.codeHash)],
);

/**
 * Per-identifier login throttling when Redis is not configured (keyed by a hash of the
 * normalised identifier, so unknown identifiers throttle exactly like real ones: no enumeration).
 */
export const loginThrottle = pgTable('login_throttle', {
  identifierHash: text('identifier_hash').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: at('window_started_at').notNull(),
  lockedUntil: at('locked_until'),
  /** Consecutive lockouts: each doubles the next lock (exponential backoff). */
  lockLevel: integer('lock_level').notNull().default(0),
});

/** Device API keys (`dk_…`): scoped to one patient, stored hashed, prefix shown for recognition. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    patientId: bigint('patient_id', { mode: 'number' })
      .notNull()
      .references(() => patients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull().unique(),
    keyHash: text('key_hash').notNull().unique(),
    scopes: text('scopes').array().notNull(),
    createdByRole: text('created_by_role').notNull(),
    createdById: bigint('created_by_id', { mode: 'number' }).notNull(),
    createdAt: at('created_at').notNull(),
    lastUsedAt: at('last_used_at'),
    /** Set on rotation: the old key keeps working until then (overlap). */
    expiresAt: at('expires_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [
    index('api_keys_patient_idx').on(t.patientId),
    check('api_keys_scopes_ck', sql`${t.scopes} <@ array['readings:write']::text[] and cardinality(${t.scopes}) > 0`),
  ],
);
