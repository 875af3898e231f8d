/**
 * The hash chains, verified directly on the database: clean data verifies, and every kind of
 * tampering (edited, deleted, forged, appended-behind-the-head rows) is reported at the right row, in
 * one chain and across shards. Each test gets a fresh database, since tampering is permanent. The
 * append-only triggers and the link hash itself are in audit.chain.triggers-hash.test.ts.
 */
import { asc, eq, type SQL, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clock, closeDb, db, freshDb, seed, tamper } from '../../../test/fixtures/audit.chain.js';
import { auditChainHeads, auditEvents } from '../../db/schema/index.js';
import { type ChainedRow, GENESIS_HASH, linkHash } from './audit.chain.js';
import { AuditService } from './audit.service.js';

async function chain(shard = 0) {
  return db.db.select().from(auditEvents).where(eq(auditEvents.chainShard, shard)).orderBy(asc(auditEvents.chainSeq));
}

function at<T>(rows: T[], i: number): T {
  const row = rows[i];
  if (!row) throw new Error(`no row at ${i}`);
  return row;
}

/** Appends a forged row with a hash consistent with its own link, as a writer with INSERT could; returns it as stored. */
async function insertForged(forged: typeof auditEvents.$inferSelect) {
  const { id: _id, ...values } = forged;
  await db.db.insert(auditEvents).values({ ...values, hash: linkHash(forged) });
  const [row] = await db.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, forged.requestId ?? ''));
  return row;
}

describe('verification of one chain', () => {
  let audit: AuditService;
  // One database for the block: the seeded chain is snapshotted once and restored after each
  // tampering (a fresh database per test would be slower, and the restore is itself verified).
  beforeAll(async () => {
    await freshDb();
    audit = new AuditService(db.db, clock, 1);
    await seed(audit, 6);
    await db.db.execute(sql`CREATE TABLE audit_events_seed AS SELECT * FROM audit_events`);
    await db.db.execute(sql`CREATE TABLE audit_chain_heads_seed AS SELECT * FROM audit_chain_heads`);
  });
  afterEach(async () => {
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER USER`);
      await tx.execute(sql`DELETE FROM audit_events`);
      await tx.execute(sql`INSERT INTO audit_events OVERRIDING SYSTEM VALUE SELECT * FROM audit_events_seed`);
      await tx.execute(sql`ALTER TABLE audit_events ENABLE TRIGGER USER`);
      await tx.execute(sql`UPDATE audit_chain_heads h SET last_seq = s.last_seq, last_hash = s.last_hash
        FROM audit_chain_heads_seed s WHERE s.shard = h.shard`);
    });
    expect(await audit.verify()).toMatchObject({ ok: true, checkedRows: 6 });
  });
  afterAll(closeDb);

  it('passes on clean data, whatever the batch size', async () => {
    for (const batch of [1, 2, 5, 6, 2000]) {
      const result = await audit.verify(batch);
      expect(result).toMatchObject({ ok: true, checkedRows: 6, shards: 1, firstBroken: null });
      expect(result.verifiedAt).toEqual(clock.now());
    }
  });

  const edits: [string, SQL][] = [
    ['action', sql`action = 'patients.delete'`],
    ['details', sql`details = '{"index": 3, "fields": ["name"]}'::jsonb`],
    ['patient id', sql`patient_id = 9999`],
    ['actor', sql`actor_id = NULL`],
    ['created at', sql`created_at = created_at + interval '1 millisecond'`],
    ['outcome', sql`outcome = 'denied'`],
  ];
  it.each(edits)('reports the row whose %s was edited', async (_name, set) => {
    const middle = at(await chain(), 2);
    await tamper(sql`UPDATE audit_events SET ${set} WHERE id = ${middle.id}`);
    for (const batch of [2, 2000]) {
      expect(await audit.verify(batch)).toMatchObject({
        ok: false,
        firstBroken: { id: middle.id, chainShard: 0, chainSeq: 3, reason: 'row content does not match its hash' },
      });
    }
  });

  it('reports a forged previous hash', async () => {
    const rows = await chain();
    const middle = at(rows, 2);
    await tamper(sql`UPDATE audit_events SET prev_hash = ${at(rows, 0).hash} WHERE id = ${middle.id}`);
    expect((await audit.verify()).firstBroken).toEqual({
      id: middle.id,
      chainShard: 0,
      chainSeq: 3,
      reason: 'previous hash does not match',
    });
  });

  it('reports the next link when a middle row is rewritten with a recomputed hash', async () => {
    const rows = await chain();
    const middle = at(rows, 2);
    const forged: ChainedRow = { ...middle, action: 'patients.update' };
    await tamper(
      sql`UPDATE audit_events SET action = ${forged.action}, hash = ${linkHash(forged)} WHERE id = ${middle.id}`,
    );
    expect((await audit.verify()).firstBroken).toEqual({
      id: at(rows, 3).id,
      chainShard: 0,
      chainSeq: 4,
      reason: 'previous hash does not match',
    });
  });

  it('reports the missing link when a middle row is deleted', async () => {
    const rows = await chain();
    await tamper(sql`DELETE FROM audit_events WHERE id = ${at(rows, 2).id}`);
    for (const batch of [1, 3, 2000]) {
      expect(await audit.verify(batch)).toMatchObject({
        ok: false,
        checkedRows: 3,
        firstBroken: { id: at(rows, 3).id, chainShard: 0, chainSeq: 4, reason: 'missing link 3' },
      });
    }
  });

  it('reports a chain that ends before its head when the tail row is deleted', async () => {
    const rows = await chain();
    await tamper(sql`DELETE FROM audit_events WHERE id = ${at(rows, 5).id}`);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      checkedRows: 5,
      firstBroken: { id: null, chainShard: 0, chainSeq: 6, reason: 'chain ends before its head' },
    });
  });

  it('reports a tail row rewritten with a recomputed hash, against the head', async () => {
    const rows = await chain();
    const tail = at(rows, 5);
    const forged: ChainedRow = { ...tail, details: { index: 6 } };
    await tamper(sql`UPDATE audit_events SET details = '{"index": 6}'::jsonb, hash = ${linkHash(forged)}
      WHERE id = ${tail.id}`);
    expect((await audit.verify()).firstBroken).toEqual({
      id: tail.id,
      chainShard: 0,
      chainSeq: 6,
      reason: 'last link does not match the chain head',
    });
  });

  it('reports a consistent row appended without advancing the head (INSERT needs no trigger bypass)', async () => {
    const tail = at(await chain(), 5);
    const forged = { ...tail, chainSeq: 7, prevHash: tail.hash, requestId: 'forged' };
    const row = await insertForged(forged);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      checkedRows: 7,
      firstBroken: { id: row?.id, chainShard: 0, chainSeq: 7, reason: 'link beyond the chain head' },
    });
  });

  it('reports a consistent chain forged into a shard whose head was never used', async () => {
    const tail = at(await chain(), 5);
    const forged = { ...tail, chainShard: 200, chainSeq: 1, prevHash: GENESIS_HASH, requestId: 'forged' };
    const row = await insertForged(forged);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      shards: 2,
      firstBroken: { id: row?.id, chainShard: 200, chainSeq: 1, reason: 'link beyond the chain head' },
    });
  });

  it('reports a head moved back (rows beyond it) and a head moved forward (missing tail)', async () => {
    const rows = await chain();
    await db.db.update(auditChainHeads).set({ lastSeq: 5 }).where(eq(auditChainHeads.shard, 0));
    expect((await audit.verify()).firstBroken).toMatchObject({
      id: at(rows, 5).id,
      reason: 'link beyond the chain head',
    });
    await db.db.update(auditChainHeads).set({ lastSeq: 9 }).where(eq(auditChainHeads.shard, 0));
    expect((await audit.verify()).firstBroken).toMatchObject({
      id: null,
      chainSeq: 7,
      reason: 'chain ends before its head',
    });
  });
});

describe('verification across shards', () => {
  beforeEach(freshDb);
  afterEach(closeDb);

  it('checks every used chain, even after the shard count is lowered', async () => {
    await seed(new AuditService(db.db, clock, 8), 60);
    const used = new Set((await db.db.select().from(auditEvents)).map((r) => r.chainShard));
    expect(used.size).toBeGreaterThan(1);
    const result = await new AuditService(db.db, clock, 2).verify(7);
    expect(result).toMatchObject({ ok: true, checkedRows: 60, shards: used.size, firstBroken: null });
  });

  it('reports the lowest-id break when two shards are broken', async () => {
    const audit = new AuditService(db.db, clock, 4);
    await seed(audit, 40);
    const all = await db.db.select().from(auditEvents).orderBy(auditEvents.id);
    const early = at(all, 5);
    const late = all.find((r) => r.id > early.id + 10 && r.chainShard !== early.chainShard);
    if (!late) throw new Error('no row on another shard');
    await tamper(sql`UPDATE audit_events SET resource_id = 'x' WHERE id IN (${late.id}, ${early.id})`);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      checkedRows: expect.any(Number),
      firstBroken: { id: early.id, chainShard: early.chainShard, chainSeq: early.chainSeq },
    });
  });
});
