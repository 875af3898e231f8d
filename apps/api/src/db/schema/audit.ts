import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Append-only audit trail (HIPAA §164.312(b)). UPDATE, DELETE and TRUNCATE are refused by triggers
 * (see the hand-written migration `0001_audit_append_only.sql`). Every row is linked into one of
 * several hash chains (`chainShard`): see modules/audit/README.md for why it is sharded.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    actorId: bigint('actor_id', { mode: 'number' }),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    patientId: bigint('patient_id', { mode: 'number' }),
    outcome: text('outcome').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    chainShard: smallint('chain_shard').notNull(),
    chainSeq: bigint('chain_seq', { mode: 'number' }).notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_events_chain_uq').on(t.chainShard, t.chainSeq),
    index('audit_events_created_idx').on(t.createdAt, t.id),
    index('audit_events_patient_idx').on(t.patientId, t.id),
    index('audit_events_actor_idx').on(t.actorId, t.id),
    index('audit_events_action_idx').on(t.action, t.id),
    check('audit_events_outcome_ck', sql`${t.outcome} in ('success', 'denied', 'failure', 'error')`),
    check('audit_events_action_ck', sql`${t.action} ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'`),
    check('audit_events_hash_ck', sql`length(${t.hash}) = 64 and length(${t.prevHash}) = 64`),
  ],
);

/** The newest link of each chain; its row lock serialises writers of one shard only. */
export const auditChainHeads = pgTable('audit_chain_heads', {
  shard: smallint('shard').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  lastHash: text('last_hash').notNull(),
});
