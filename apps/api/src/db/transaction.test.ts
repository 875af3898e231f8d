import { count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/use-test-app.js';
import type { DomainEvent } from '../lib/event-bus.js';
import { staff } from './schema/index.js';
import { afterCommit, withTransaction } from './transaction.js';

const events: DomainEvent[] = [];

async function settle(): Promise<void> {
  // The Redis bus delivers asynchronously; give it a moment either way.
  await new Promise((r) => setTimeout(r, api.app.events.bus.kind === 'redis' ? 150 : 0));
}

const api = useTestApp();

beforeAll(async () => {
  if (api.app.events.bus.kind === 'redis')
    await (api.app.events.bus as unknown as { whenReady(): Promise<void> }).whenReady();
  api.app.events.bus.subscribe((e) => events.push(e));
});

describe('publish after commit', () => {
  it('publishes only once the transaction has committed', async () => {
    events.length = 0;
    let seenInsideTransaction = -1;
    const id = await withTransaction(api.db.db, async (tx) => {
      const [row] = await tx
        .insert(staff)
        .values({ username: 'events.a', email: 'a@clinic.example', name: 'A', roles: ['assistant'] })
        .returning({ id: staff.id });
      await api.app.events.publishAfterCommit(tx, 'staff', 'created', { staffId: row?.id ?? 0 });
      await settle();
      seenInsideTransaction = events.length;
      return row?.id;
    });
    await settle();
    expect(seenInsideTransaction).toBe(0);
    expect(events).toMatchObject([{ topic: 'staff', type: 'created', ids: { staffId: id } }]);
  });

  it('drops the event when the transaction rolls back, and the row with it', async () => {
    events.length = 0;
    await expect(
      withTransaction(api.db.db, async (tx) => {
        await tx
          .insert(staff)
          .values({ username: 'events.b', email: 'b@clinic.example', name: 'B', roles: ['assistant'] });
        await api.app.events.publishAfterCommit(tx, 'staff', 'created', { staffId: 1 });
        throw new Error('rollback please');
      }),
    ).rejects.toThrow('rollback please');
    await settle();
    expect(events).toEqual([]);
    const rows = await api.db.db.select({ n: count() }).from(staff).where(eq(staff.username, 'events.b'));
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('refuses to defer on a transaction it does not track (it could still roll back)', async () => {
    await expect(
      api.db.db.transaction(async (tx) => {
        await afterCommit(tx, () => {});
      }),
    ).rejects.toThrow(/withTransaction/);
  });

  it('an after-commit failure does not undo the commit or fail the caller', async () => {
    const errors: unknown[] = [];
    const result = await withTransaction(
      api.db.db,
      async (tx) => {
        await afterCommit(tx, () => {
          throw new Error('mail server down');
        });
        return 'committed';
      },
      (err) => errors.push(err),
    );
    expect(result).toBe('committed');
    expect(errors).toHaveLength(1);
  });
});
