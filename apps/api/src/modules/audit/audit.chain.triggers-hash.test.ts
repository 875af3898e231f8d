/**
 * The append-only triggers, tested directly on the database (UPDATE, DELETE and TRUNCATE refused,
 * INSERT accepted), and the canonical serialisation and link hash the chains are built from.
 * Verification of tampered chains is in audit.chain.verify.test.ts.
 */
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, closeDb, db, entry, freshDb, seed, tamper } from '../../../test/fixtures/audit.chain.js';
import { auditEvents } from '../../db/schema/index.js';
import { type ChainedRow, canonicalJson, GENESIS_HASH, linkHash } from './audit.chain.js';
import { AuditService } from './audit.service.js';

/** The database error behind drizzle's wrapper. */
async function dbError(promise: Promise<unknown>): Promise<{ message: string; code?: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { message: string; code?: string; cause?: { message: string; code?: string } };
    return e.cause ?? e;
  }
  throw new Error('expected the statement to fail');
}

describe('append-only triggers', () => {
  beforeAll(async () => {
    await freshDb();
    await seed(new AuditService(db.db, clock, 2), 3);
  });
  afterAll(closeDb);

  const refused: [string, SQL][] = [
    ['UPDATE', sql`UPDATE audit_events SET action = 'patients.delete'`],
    ['UPDATE of the details only', sql`UPDATE audit_events SET details = '{}'::jsonb WHERE chain_seq = 1`],
    ['DELETE', sql`DELETE FROM audit_events`],
    ['DELETE of one row', sql`DELETE FROM audit_events WHERE id = (SELECT min(id) FROM audit_events)`],
    ['TRUNCATE', sql`TRUNCATE audit_events`],
  ];
  it.each(refused)('refuses %s with an error and changes nothing', async (op, statement) => {
    const before = await db.db.select().from(auditEvents).orderBy(auditEvents.id);
    const err = await dbError(db.db.execute(statement));
    expect(err.message).toMatch(new RegExp(`audit_events is append-only: ${op.split(' ')[0]} refused`));
    expect(err.code).toBe('42501');
    expect(await db.db.select().from(auditEvents).orderBy(auditEvents.id)).toEqual(before);
  });

  it('refuses changes inside a transaction too, aborting it', async () => {
    const audit = new AuditService(db.db, clock, 2);
    await expect(
      db.db.transaction(async (tx) => {
        await audit.record(tx, entry(99));
        await tx.execute(sql`DELETE FROM audit_events WHERE resource_id = '1'`);
      }),
    ).rejects.toThrow();
    expect(await db.db.$count(auditEvents)).toBe(3);
  });

  it('still accepts INSERT', async () => {
    await new AuditService(db.db, clock, 2).record(db.db, entry(4));
    expect(await db.db.$count(auditEvents)).toBe(4);
  });

  it('is back on after a test tampered with the trigger disabled', async () => {
    await tamper(sql`UPDATE audit_events SET ip = NULL WHERE chain_seq = 1`);
    const err = await dbError(db.db.execute(sql`UPDATE audit_events SET ip = NULL`));
    expect(err.message).toMatch(/append-only/);
  });
});

describe('canonical serialisation and link hash', () => {
  it('ignores key order and undefined, at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalJson([undefined, null])).toBe('[null,null]');
  });

  it('changes with every hashed field and with the previous hash', () => {
    const base: ChainedRow = {
      chainShard: 1,
      chainSeq: 2,
      prevHash: GENESIS_HASH,
      createdAt: new Date('2026-01-01T00:00:00Z'),
      actorId: 1,
      actorRole: 'admin',
      action: 'a.b',
      resourceType: 'r',
      resourceId: '1',
      patientId: 2,
      outcome: 'success',
      ip: '::1',
      userAgent: 'ua',
      requestId: 'q',
      details: { k: 1 },
    };
    const variants: Partial<ChainedRow>[] = [
      { chainShard: 2 },
      { chainSeq: 3 },
      { prevHash: 'f'.repeat(64) },
      { createdAt: new Date('2026-01-01T00:00:00.001Z') },
      { actorId: null },
      { actorRole: 'clinician' },
      { action: 'a.c' },
      { resourceType: 's' },
      { resourceId: null },
      { patientId: 3 },
      { outcome: 'denied' },
      { ip: null },
      { userAgent: 'ub' },
      { requestId: null },
      { details: { k: 2 } },
    ];
    const hashes = new Set([linkHash(base), ...variants.map((v) => linkHash({ ...base, ...v }))]);
    expect(hashes.size).toBe(variants.length + 1);
    expect(linkHash({ ...base, details: { k: 1 } })).toBe(linkHash(base));
  });
});
