import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../config/index.js';
import { type DomainEvent, type EventBus, InProcessEventBus, RedisEventBus } from './event-bus.js';

const fixedNow = () => new Date('2026-03-01T10:00:00.000Z');

function collect(bus: EventBus): DomainEvent[] {
  const seen: DomainEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return seen;
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('in-process event bus', () => {
  it('delivers {topic, type, ids, at} to every subscriber until it unsubscribes', async () => {
    const bus = new InProcessEventBus(fixedNow);
    const a = collect(bus);
    const b: DomainEvent[] = [];
    const off = bus.subscribe((e) => b.push(e));
    await bus.publish('readings', 'created', { patientId: 7, readingId: 99 });
    off();
    await bus.publish('readings', 'deleted', { patientId: 7, readingId: 99 });
    expect(a).toEqual([
      { topic: 'readings', type: 'created', ids: { patientId: 7, readingId: 99 }, at: '2026-03-01T10:00:00.000Z' },
      { topic: 'readings', type: 'deleted', ids: { patientId: 7, readingId: 99 }, at: '2026-03-01T10:00:00.000Z' },
    ]);
    expect(b).toHaveLength(1);
  });

  it('keeps delivering when one subscriber throws', async () => {
    const bus = new InProcessEventBus(fixedNow);
    bus.subscribe(() => {
      throw new Error('boom');
    });
    const seen = collect(bus);
    await bus.publish('queue', 'changed', { queueId: 1 });
    expect(seen).toHaveLength(1);
  });

  it('refuses payloads that are not ids (no patient data in events)', async () => {
    const bus = new InProcessEventBus(fixedNow);
    await expect(bus.publish('readings', 'created', { value: { mgdl: 120 } as never })).rejects.toThrow(/ids/);
    await expect(bus.publish('Readings With Spaces', 'created', {})).rejects.toThrow(/invalid event/);
  });
});

describe.runIf(testEnv.redisUrl)('Redis event bus (TEST_REDIS_URL)', () => {
  const clients: Redis[] = [];
  const buses: RedisEventBus[] = [];
  afterAll(async () => {
    for (const b of buses) await b.close();
    for (const c of clients) c.disconnect();
  });

  it('fans an event out to every instance, the publisher included', async () => {
    const prefix = `diabetify:test:${randomBytes(4).toString('hex')}:`;
    const make = async () => {
      const client = new Redis(testEnv.redisUrl as string, { lazyConnect: true, enableOfflineQueue: false });
      await client.connect();
      clients.push(client);
      const bus = new RedisEventBus(client, prefix, fixedNow);
      buses.push(bus);
      await bus.whenReady();
      return bus;
    };
    const one = await make();
    const two = await make();
    const onOne = collect(one);
    const onTwo = collect(two);
    await one.publish('appointments', 'resolved', { appointmentId: 5, patientId: 3 });
    await until(() => onOne.length === 1 && onTwo.length === 1);
    expect(onTwo[0]).toEqual({
      topic: 'appointments',
      type: 'resolved',
      ids: { appointmentId: 5, patientId: 3 },
      at: '2026-03-01T10:00:00.000Z',
    });
  });

  it('keeps instances with another key prefix apart', async () => {
    const client = new Redis(testEnv.redisUrl as string, { lazyConnect: true, enableOfflineQueue: false });
    await client.connect();
    clients.push(client);
    const a = new RedisEventBus(client, `diabetify:test:${randomBytes(4).toString('hex')}:`, fixedNow);
    const b = new RedisEventBus(client, `diabetify:test:${randomBytes(4).toString('hex')}:`, fixedNow);
    buses.push(a, b);
    await Promise.all([a.whenReady(), b.whenReady()]);
    const onB = collect(b);
    const onA = collect(a);
    await a.publish('queue', 'changed', { queueId: 1 });
    await until(() => onA.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(onB).toHaveLength(0);
  });
});
