/**
 * Reading reads: lists, the change feed, one reading, achievements. Every read of a patient's
 * readings is audited, refused attempts included (security.md LG-3); another patient's data is 404.
 */
import type { Database } from '../../db/client.js';
import { type Actor, isStaff } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import { localDay } from '../../lib/local-time.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import { ReadingsAccess } from './readings.access.js';
import { effective } from './readings.gamification.js';
import { achievementCatalogue, gamificationOf } from './readings.patient.repository.js';
import * as repo from './readings.repository.js';
import { type Achievements, type ChangesQuery, DEFAULT_LIMIT, type ListQuery } from './readings.schema.js';
import type { ReadingsService } from './readings.service.js';
import { toReading } from './readings.view.js';

export interface ReadingQueriesDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
  writes: ReadingsService;
}

export class ReadingQueries {
  private readonly access: ReadingsAccess;

  constructor(private readonly d: ReadingQueriesDeps) {
    this.access = new ReadingsAccess(d);
  }

  /** Newest first, keyset-paginated on (measured_at, id). */
  async list(actor: Actor, origin: AuditOrigin, patientId: number, q: ListQuery) {
    await this.access.assertReadable(actor, origin, patientId, 'readings.read');
    const after = q.cursor ? decodeCursor(q.cursor, ['number', 'number'] as const) : null;
    const limit = q.limit ?? DEFAULT_LIMIT;
    const filters = {
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      context: q.context,
      source: q.source,
    };
    const page = await repo.listPage(
      this.d.db,
      patientId,
      filters,
      limit,
      after && { atMicros: after[0], id: after[1] },
    );
    await this.auditRead(origin, patientId, {
      returned: page.rows.length,
      filters: Object.keys(filters).filter((k) => filters[k as keyof typeof filters] !== undefined),
      page: q.cursor ? 'next' : 'first',
    });
    return {
      data: page.rows.map(toReading),
      nextCursor: page.more && page.last ? encodeCursor([page.last.atMicros, page.last.id]) : null,
    };
  }

  /**
   * Changes after `since`, oldest change first, deletions as tombstones. The cursor is the last
   * change-feed position returned (or the one given, when nothing is new): resume with it.
   */
  async changes(actor: Actor, origin: AuditOrigin, patientId: number, q: ChangesQuery) {
    await this.access.assertReadable(actor, origin, patientId, 'readings.changes');
    const since = q.since ? decodeCursor(q.since, ['number'] as const, 'since')[0] : 0;
    const { rows, more } = await repo.listChanges(this.d.db, patientId, since, q.limit ?? DEFAULT_LIMIT * 4);
    const last = rows.at(-1)?.changeSeq ?? since;
    await this.auditRead(origin, patientId, { returned: rows.length, since, until: last }, 'readings.changes');
    return {
      data: rows.map((r) => ({
        changeSeq: r.changeSeq,
        deleted: r.deletedAt !== null,
        deletedAt: r.deletedAt?.toISOString() ?? null,
        reading: toReading(r),
      })),
      nextCursor: encodeCursor([last]),
      hasMore: more,
    };
  }

  async get(actor: Actor, origin: AuditOrigin, id: number) {
    const row = await this.d.writes.reachable(actor, origin, id, 'readings.read');
    await this.d.audit.record(this.d.db, {
      ...origin,
      action: 'readings.read',
      resourceType: 'reading',
      resourceId: id,
      patientId: row.patientId,
      outcome: 'success',
    });
    return toReading(row);
  }

  /** The patient's streak, counters and achievement progress as of today in their timezone. */
  async achievements(actor: Actor): Promise<Achievements> {
    const g = await gamificationOf(this.d.db, actor.id);
    if (!g) throw new NotFoundError('patient');
    const today = localDay(g.timezone, this.d.clock.now().getTime());
    const s = effective({ ...g }, today);
    const catalogue = await achievementCatalogue(this.d.db);
    return {
      timesMeasured: s.timesMeasured,
      streak: s.streak,
      maxStreak: s.maxStreak,
      fourTimesToday: s.fourTimesToday,
      streakLastDate: s.streakLastDate,
      timezone: g.timezone,
      achievements: catalogue.map((a) => {
        const value = a.attribute === 'max_streak' ? s.maxStreak : s.timesMeasured;
        return {
          id: a.id,
          name: a.name,
          attribute: a.attribute as 'times_measured' | 'max_streak',
          threshold: a.threshold,
          progress: Math.min(value, a.threshold),
          got: value >= a.threshold,
        };
      }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Legacy back-office reads (legacy-compat.md §B): unpaginated lists, oldest first.

  /**
   * Every live reading of one patient measured at or after `from` (all when absent), oldest first,
   * for `GET /glucose/user/{id}[/latest]`: keyset chunks on the patient index (each query bounded),
   * collected and audited as one read with the count returned.
   */
  async allOfPatientOldestFirst(actor: Actor, origin: AuditOrigin, patientId: number, from?: Date) {
    await this.access.assertReadable(actor, origin, patientId, 'readings.read');
    const rows: repo.ReadingRow[] = [];
    let after: { atMicros: number; id: number } | null = null;
    do {
      const page = await repo.listOldestFirst(this.d.db, patientId, from, LEGACY_CHUNK, after);
      rows.push(...page.rows);
      after = page.more ? page.last : null;
    } while (after);
    await this.auditRead(origin, patientId, { via: 'legacy', returned: rows.length, filters: from ? ['from'] : [] });
    return rows;
  }

  /**
   * Every live reading of every patient, by id (creation order), for `GET /glucose/readings`.
   * Staff who read values only (the route gates roles; this re-checks staff). Keyset chunks on
   * the primary key keep each query bounded, but the answer holds the whole table in memory:
   * the old API had no pagination, so this endpoint's cost grows with the clinic's history.
   * Audited as one read naming the patients whose readings were returned.
   */
  async allPatientsReadings(actor: Actor, origin: AuditOrigin) {
    if (!isStaff(actor)) throw new ForbiddenError();
    const rows: repo.ReadingRow[] = [];
    let after = 0;
    for (;;) {
      const chunk = await repo.listLiveAfterId(this.d.db, after, LEGACY_CHUNK);
      rows.push(...chunk);
      if (chunk.length < LEGACY_CHUNK) break;
      after = (chunk.at(-1) as repo.ReadingRow).id;
    }
    const patientIds = [...new Set(rows.map((r) => r.patientId))].sort((a, b) => a - b);
    await this.auditRead(origin, null, { via: 'legacy', scope: 'all_patients', returned: rows.length, patientIds });
    return rows;
  }

  // -------------------------------------------------------------------------------------------
  // Legacy patient gateway (legacy-compat.md A.4): the caller's whole history, streamed.

  /**
   * Every live reading of one patient measured at or after `from` (all when absent), oldest first,
   * as keyset chunks of `chunk` rows for `GET /glucose/mine[/latest]`: the route streams each chunk
   * out before the next is read, so neither one query nor the process's memory grows with the
   * history. Access is checked and the read audited before anything is returned, and the first
   * chunk is read here, so a database failure is an ordinary error rather than a cut-off stream.
   * The chunks are separate statements, not one snapshot (holding a transaction open while a slow
   * client downloads would pin a connection): a reading created meanwhile appears only if it sorts
   * after the chunk already sent.
   */
  async streamOldestFirst(
    actor: Actor,
    origin: AuditOrigin,
    patientId: number,
    opts: { from?: Date | undefined; chunk?: number } = {},
  ): Promise<AsyncIterable<repo.ReadingRow[]>> {
    await this.access.assertReadable(actor, origin, patientId, 'readings.read');
    const size = opts.chunk ?? LEGACY_CHUNK;
    const db = this.d.db;
    const first = await repo.listOldestFirst(db, patientId, opts.from, size, null);
    await this.auditRead(origin, patientId, {
      via: 'legacy',
      order: 'oldest_first',
      filters: opts.from ? ['from'] : [],
      streamed: true,
    });
    return (async function* chunks() {
      let page = first;
      yield page.rows;
      while (page.more && page.last) {
        page = await repo.listOldestFirst(db, patientId, opts.from, size, page.last);
        yield page.rows;
      }
    })();
  }

  /** Every read of a patient's readings (or, `null`, of all patients') leaves one success row. */
  private auditRead(
    origin: AuditOrigin,
    patientId: number | null,
    details: Record<string, unknown>,
    action: 'readings.read' | 'readings.changes' = 'readings.read',
  ) {
    return this.d.audit.record(this.d.db, {
      ...origin,
      action,
      resourceType: 'reading',
      patientId,
      outcome: 'success',
      details,
    });
  }
}

/** Rows per query of the legacy unpaginated reads. */
const LEGACY_CHUNK = 2000;
