/**
 * The event publisher services receive (architecture rule 4: events after commit). Built once by
 * app.ts over the event bus; modules depend on this type, not on the plugin that decorates it.
 */
import type { Executor } from '../db/client.js';
import { afterCommit } from '../db/transaction.js';
import type { EventBus, EventIds } from './event-bus.js';

export interface Events {
  /** Publishes now. Use `publishAfterCommit` from inside a transaction. */
  publish(topic: string, type: string, ids: EventIds): Promise<void>;
  /** Publishes once `tx` commits; nothing is published if it rolls back. */
  publishAfterCommit(tx: Executor, topic: string, type: string, ids: EventIds): Promise<void>;
  readonly bus: EventBus;
}

/** `onLost`: a publish that failed after the commit (the change stands; the loss is logged). */
export function createEvents(bus: EventBus, onLost: (err: unknown, topic: string, type: string) => void): Events {
  return {
    bus,
    publish: (topic, type, ids) => bus.publish(topic, type, ids),
    publishAfterCommit: (tx, topic, type, ids) =>
      afterCommit(tx, async () => {
        try {
          await bus.publish(topic, type, ids);
        } catch (err) {
          onLost(err, topic, type);
        }
      }),
  };
}
