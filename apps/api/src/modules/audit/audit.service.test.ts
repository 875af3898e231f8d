/**
 * `audit.record(tx, entry)`: the row commits or rolls back with the caller's transaction, one
 * transaction writes to one chain shard, PHI-bearing details are refused, and many concurrent
 * writers (real row locks on PostgreSQL) all land with every chain still verifying.
 */
import { count, eq, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { untilBlocked, watchCalls } from '../../../test/lock-probe.js';
import { useTestApp } from '../../../test/use-test-app.js';
import { auditChainHeads, auditEvents } from '../../db/schema/index.js';
import { ManualClock } from '../../lib/clock.js';
import { GENESIS_HASH, linkHash } from './audit.chain.js';
import { type AuditEntry, AuditService } from './audit.service.js';

const clock = new ManualClock('2026-02-01T08:30:00.000Z');

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: { id: 7, role: 'clinician' },
  action: 'readings.read',
  resourceType: 'readings',
  resourceId: 42,
  patientId: 1001,
  outcome: 'success',
  ip: '203.0.113.9',
  userAgent: 'vitest',
  requestId: 'req-1',
  details: { returned: 3, fields: ['valueMgDl', 'takenAt'] },
  ...over,
});

async function rowCount(): Promise<number> {
  const [row] = await api.db.db.select({ n: count() }).from(auditEvents);
  return row?.n ?? -1;
}

async function headSeqTotal(): Promise<number> {
  const [row] = await api.db.db
    .select({ n: sql<string>`coalesce(sum(${auditChainHeads.lastSeq}), 0)` })
    .from(auditChainHeads);
  return Number(row?.n);
}

async function clear(): Promise<void> {
  // Only possible with the append-only triggers off; done between tests of this file alone.
  await api.db.db.transaction(async (tx) => {
    await tx.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER USER`);
    await tx.execute(sql`DELETE FROM audit_events`);
    await tx.execute(sql`ALTER TABLE audit_events ENABLE TRIGGER USER`);
    await tx.update(auditChainHeads).set({ lastSeq: 0, lastHash: GENESIS_HASH });
  });
}

const api = useTestApp({ app: false });
beforeEach(clear);

describe('record', () => {
  it('leaves no row, and no advanced head, when the transaction rolls back', async () => {
    const audit = new AuditService(api.db.db, clock, 16);
    await expect(
      api.db.db.transaction(async (tx) => {
        await audit.record(tx, entry());
        await audit.record(tx, entry({ action: 'readings.export' }));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowCount()).toBe(0);
    expect(await headSeqTotal()).toBe(0);
  });

  it('leaves exactly one row with the entry fields when the transaction commits', async () => {
    const audit = new AuditService(api.db.db, clock, 16);
    await api.db.db.transaction(async (tx) => {
      await audit.record(tx, entry());
    });
    const rows = await api.db.db.select().from(auditEvents);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    if (!row) throw new Error('no row');
    // Every entry field is stored as given, but the actor (two columns) and the id (text).
    const { actor: _actor, resourceId: _id, ...asGiven } = entry();
    expect(row).toMatchObject({
      ...asGiven,
      createdAt: clock.now(),
      actorId: 7,
      actorRole: 'clinician',
      resourceId: '42',
      chainSeq: 1,
      prevHash: GENESIS_HASH,
    });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.hash).toBe(linkHash(row));
    const [head] = await api.db.db.select().from(auditChainHeads).where(eq(auditChainHeads.shard, row.chainShard));
    expect(head).toEqual({ shard: row.chainShard, lastSeq: 1, lastHash: row.hash });
  });

  it('stores nulls for an anonymous entry without origin, and truncates a huge user agent', async () => {
    const audit = new AuditService(api.db.db, clock, 4);
    await audit.record(api.db.db, {
      actor: { id: null, role: 'anonymous' },
      action: 'auth.login',
      resourceType: 'session',
      outcome: 'failure',
      userAgent: 'x'.repeat(5000),
    });
    const [row] = await api.db.db.select().from(auditEvents);
    expect(row).toMatchObject({ actorId: null, resourceId: null, patientId: null, ip: null, requestId: null });
    expect(row?.userAgent).toHaveLength(512);
    expect(row?.details).toEqual({});
    expect((await audit.verify()).ok).toBe(true);
  });

  it('puts every record of one transaction on one shard with consecutive seqs', async () => {
    const audit = new AuditService(api.db.db, clock, 256);
    for (let t = 0; t < 3; t++) {
      await api.db.db.transaction(async (tx) => {
        for (let i = 0; i < 5; i++) await audit.record(tx, entry({ resourceId: `${t}-${i}` }));
      });
    }
    const rows = await api.db.db.select().from(auditEvents).orderBy(auditEvents.id);
    expect(rows).toHaveLength(15);
    for (let t = 0; t < 3; t++) {
      const group = rows.filter((r) => r.resourceId?.startsWith(`${t}-`));
      expect(group).toHaveLength(5);
      expect(new Set(group.map((r) => r.chainShard)).size).toBe(1);
      const seqs = group.map((r) => r.chainSeq);
      const first = seqs[0] ?? 0;
      expect(seqs).toEqual([first, first + 1, first + 2, first + 3, first + 4]);
      for (let i = 1; i < group.length; i++) expect(group[i]?.prevHash).toBe(group[i - 1]?.hash);
    }
  });

  it('keeps nested (savepoint) transactions on the outer transaction shard', async () => {
    // With 256 shards, five independent draws landing on one shard by chance is ~1e-12.
    const audit = new AuditService(api.db.db, clock, 256);
    await api.db.db.transaction(async (tx) => {
      await audit.record(tx, entry({ resourceId: 'outer' }));
      for (let i = 0; i < 4; i++) {
        await tx.transaction(async (inner) => {
          await audit.record(inner, entry({ resourceId: `inner-${i}` }));
        });
      }
    });
    const rows = await api.db.db.select().from(auditEvents);
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.chainShard)).size).toBe(1);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('drops the rows of a rolled-back savepoint and keeps the chain whole', async () => {
    const audit = new AuditService(api.db.db, clock, 2);
    await api.db.db.transaction(async (tx) => {
      await audit.record(tx, entry({ resourceId: 'kept-1' }));
      await expect(
        tx.transaction(async (inner) => {
          await audit.record(inner, entry({ resourceId: 'dropped' }));
          throw new Error('savepoint fails');
        }),
      ).rejects.toThrow('savepoint fails');
      await audit.record(tx, entry({ resourceId: 'kept-2' }));
    });
    const rows = await api.db.db.select().from(auditEvents).orderBy(auditEvents.chainSeq);
    expect(rows.map((r) => [r.resourceId, r.chainSeq])).toEqual([
      ['kept-1', 1],
      ['kept-2', 2],
    ]);
    expect(await audit.verify()).toMatchObject({ ok: true, checkedRows: 2 });
  });

  it('stores details as jsonb returns them, so Dates and undefined do not break the chain', async () => {
    const audit = new AuditService(api.db.db, clock, 1);
    await audit.record(api.db.db, entry({ details: { at: new Date('2026-01-01T00:00:00Z'), gone: undefined, n: 2 } }));
    const [row] = await api.db.db.select().from(auditEvents);
    expect(row?.details).toEqual({ at: '2026-01-01T00:00:00.000Z', n: 2 });
    expect(await audit.verify()).toMatchObject({ ok: true, checkedRows: 1 });
  });
});

describe('details without PHI', () => {
  const refused: Record<string, unknown>[] = [
    { password: 'x' },
    { valueMgDl: 1 },
    { Password: 'x' },
    { changes: { email: 'a@b.example' } },
    { items: [{ id: 1 }, { notes: 'feels dizzy' }] },
    { deep: [[{ dni: '12345678' }]] },
  ];
  it.each(refused)('refuses %j and writes nothing', async (details) => {
    const audit = new AuditService(api.db.db, clock, 4);
    await expect(audit.record(api.db.db, entry({ details }))).rejects.toThrow(/sensitive values/);
    expect(await rowCount()).toBe(0);
    expect(await headSeqTotal()).toBe(0);
  });

  it('accepts ids, counts and field names (names may be listed as values)', async () => {
    const audit = new AuditService(api.db.db, clock, 4);
    await audit.record(
      api.db.db,
      entry({ details: { readingIds: [1, 2], count: 2, changedFields: ['email', 'name'] } }),
    );
    expect(await rowCount()).toBe(1);
  });
});

describe('concurrent writers', () => {
  it('holds a head until commit: a second writer of that shard waits, then links after it', async () => {
    // The second writer opens its transaction through `watched`: on PGlite, reaching it is the barrier.
    const { watched, issued } = watchCalls(api.db.db, 'transaction');
    const audit = new AuditService(watched, clock, 1);
    const order: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let recorded = () => {};
    const firstRecorded = new Promise<void>((r) => {
      recorded = r;
    });
    const first = api.db.db.transaction(async (tx) => {
      await audit.record(tx, entry({ resourceId: 'first' }));
      recorded();
      await gate;
      order.push('first commits');
    });
    await firstRecorded;
    const second = audit.record(api.db.db, entry({ resourceId: 'second' })).then(() => order.push('second done'));
    await untilBlocked(api.db, issued);
    order.push('released');
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['released', 'first commits', 'second done']);
    const rows = await api.db.db.select().from(auditEvents).orderBy(auditEvents.chainSeq);
    expect(rows.map((r) => [r.resourceId, r.chainSeq])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
  });

  it('lands 200 concurrent single-record transactions and every chain verifies', async () => {
    const audit = new AuditService(api.db.db, clock, 4);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => audit.record(api.db.db, entry({ resourceId: i, requestId: `c-${i}` }))),
    );
    expect(await rowCount()).toBe(200);
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: true, checkedRows: 200, firstBroken: null });
    expect(await headSeqTotal()).toBe(200);
  });

  it('lands concurrent multi-record transactions, drops the rolled-back ones, and verifies', async () => {
    const audit = new AuditService(api.db.db, clock, 3);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        api.db.db.transaction(async (tx) => {
          for (let k = 0; k < 3; k++) {
            await audit.record(tx, entry({ resourceId: `${i}.${k}` }));
            await new Promise((r) => setTimeout(r, 1));
          }
          if (i % 4 === 0) throw new Error('abort');
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(15);
    for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toMatch(/abort/);
    expect(await rowCount()).toBe(45 * 3);
    const rows = await api.db.db.select().from(auditEvents);
    const shardsPerTx = new Map<string, Set<number>>();
    for (const r of rows) {
      const tx = r.resourceId?.split('.')[0] ?? '';
      shardsPerTx.set(tx, (shardsPerTx.get(tx) ?? new Set()).add(r.chainShard));
    }
    for (const shards of shardsPerTx.values()) expect(shards.size).toBe(1);
    expect(await audit.verify()).toMatchObject({ ok: true, checkedRows: 135 });
  });
});
