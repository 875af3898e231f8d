/**
 * Domain events: `{ topic, type, ids }` only — never patient data (architecture rule 6).
 * Two implementations behind one interface: in-process (single instance) and Redis pub/sub
 * (fan-out to every instance, including the publisher, through the subscription).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

export type EventIds = Record<string, string | number>;

export interface DomainEvent {
  topic: string;
  type: string;
  ids: EventIds;
  at: string;
}

export type EventHandler = (event: DomainEvent) => void;

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  publish(topic: string, type: string, ids: EventIds): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(handler: EventHandler): () => void;
  /** False while events from other instances may be missed (Redis subscription down). */
  healthy(): boolean;
  close(): Promise<void>;
}

const TOPIC = /^[a-z][a-z0-9_.:-]{0,99}$/;

function makeEvent(topic: string, type: string, ids: EventIds, now: Date): DomainEvent {
  if (!TOPIC.test(topic) || !TOPIC.test(type)) throw new Error(`invalid event topic/type ${topic}/${type}`);
  for (const v of Object.values(ids)) {
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error('event ids must be strings or numbers');
  }
  return { topic, type, ids, at: now.toISOString() };
}

/** Delivery to this process's subscribers, shared by both buses. */
abstract class LocalDispatch {
  private readonly emitter = new EventEmitter({ captureRejections: false });
  constructor(protected readonly now: () => Date) {
    this.emitter.setMaxListeners(0);
  }
  protected deliver(event: DomainEvent): void {
    for (const listener of this.emitter.listeners('event')) {
      try {
        (listener as EventHandler)(event);
      } catch {
        // One subscriber's failure must not stop delivery to the others.
      }
    }
  }
  subscribe(handler: EventHandler): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

export class InProcessEventBus extends LocalDispatch implements EventBus {
  readonly kind = 'memory' as const;
  constructor(now: () => Date = () => new Date()) {
    super(now);
  }
  async publish(topic: string, type: string, ids: EventIds): Promise<void> {
    this.deliver(makeEvent(topic, type, ids, this.now()));
  }
  healthy(): boolean {
    return true;
  }
}

export class RedisEventBus extends LocalDispatch implements EventBus {
  readonly kind = 'redis' as const;
  private readonly channel: string;
  private readonly subscriber: Redis;
  private ready: Promise<void>;

  constructor(
    private readonly publisher: Redis,
    keyPrefix: string,
    now: () => Date = () => new Date(),
    onError: (err: unknown) => void = () => {},
  ) {
    super(now);
    this.channel = `${keyPrefix}events`;
    // A subscribed connection cannot run other commands, so it gets its own.
    // The subscription must survive a slow first connect and later reconnects: queue the SUBSCRIBE
    // until connected (offline queue on, no retry cap) and let ioredis resubscribe after a drop.
    this.subscriber = publisher.duplicate({
      lazyConnect: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
      connectTimeout: 10_000,
      commandTimeout: undefined, // no per-command deadline: SUBSCRIBE waits for the connection
    });
    this.subscriber.on('error', onError);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        this.deliver(JSON.parse(message) as DomainEvent);
      } catch (err) {
        onError(err);
      }
    });
    this.ready = this.subscriber.subscribe(this.channel).then(() => undefined);
    this.ready.catch(onError);
  }

  healthy(): boolean {
    return this.subscriber.status === 'ready';
  }

  /** Resolves once the subscription is active (tests wait for it before publishing). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  async publish(topic: string, type: string, ids: EventIds): Promise<void> {
    const event = makeEvent(topic, type, ids, this.now());
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  override async close(): Promise<void> {
    await super.close();
    this.subscriber.disconnect();
  }
}
