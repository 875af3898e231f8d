/**
 * Session revocation check for access tokens (issue: revoked sessions stop working within 1 s on
 * every instance). PostgreSQL is the source of truth; a per-instance cache of *live* sessions
 * avoids a query per request, and `sessions/revoked` events (Redis pub/sub across instances)
 * evict entries at once. A Redis restart cannot resurrect anything: the cache only ever holds
 * what the database said was live, for at most `CACHE_TTL_MS`.
 */
import type { Database } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import type { EventBus } from '../../lib/event-bus.js';
import { sessionState } from './auth.repository.js';

const CACHE_TTL_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ENTRIES = 50_000;

export class SessionGuard {
  private readonly live = new Map<string, { credentialId: number; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    bus: EventBus,
  ) {
    bus.subscribe((event) => {
      if (event.topic === 'sessions' && event.type === 'revoked') this.evict(event.ids);
    });
  }

  /**
   * Forgets cached sessions. Called on this instance as soon as a revocation commits (the Redis
   * echo of our own event arrives a few ms later), and on every instance when the event arrives.
   */
  evict(ids: { sessionId?: string | number; credentialId?: string | number }): void {
    if (ids.sessionId !== undefined) this.live.delete(String(ids.sessionId));
    if (ids.credentialId !== undefined) {
      for (const [sid, entry] of this.live) if (entry.credentialId === Number(ids.credentialId)) this.live.delete(sid);
    }
  }

  /** True when the session exists, is not revoked and has not reached its absolute end. */
  async isLive(sessionId: string): Promise<boolean> {
    if (!UUID.test(sessionId)) return false;
    const now = this.clock.now().getTime();
    const cached = this.live.get(sessionId);
    if (cached && cached.until > now) return true;
    const state = await sessionState(this.db, sessionId);
    if (!state || state.revokedAt !== null || state.expiresAt.getTime() <= now) {
      this.live.delete(sessionId);
      return false;
    }
    if (this.live.size >= MAX_ENTRIES) this.live.clear();
    this.live.set(sessionId, {
      credentialId: state.credentialId,
      until: Math.min(now + CACHE_TTL_MS, state.expiresAt.getTime()),
    });
    return true;
  }
}
