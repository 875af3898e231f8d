/**
 * Reading writes: single create, batch sync, edit and delete. Transport-free.
 *
 * Every write of a patient's readings runs in one transaction that first locks the patient row.
 * That lock is what makes the change feed safe (readings README): change-feed positions are taken
 * under it, so they are handed out in commit order and a client never skips a slow writer's row.
 * The same transaction inserts (deduplicated by the device keys), moves the gamification counters
 * and the day summaries, writes the audit row, and queues the event for after the commit.
 */
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import { type Actor, isStaff } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { localDay } from '../../lib/local-time.js';
import type { Events } from '../../plugins/context.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import { applyReadings, type GamificationState, removeReadings } from './readings.gamification.js';
import { claim, complete, type IdempotencyClaim, requestHash, type StoredResponse } from './readings.idempotency.js';
import * as repo from './readings.repository.js';
import { checkReadingInput, isErrors, measuredAtProblem, type NewReading, normaliseValue } from './readings.rules.js';
import type { BatchResult, CreateReadingBody, Reading, UpdateReadingBody } from './readings.schema.js';
import { applySummaryDeltas, type SummaryDelta } from './readings.summaries.js';
import { toReading } from './readings.view.js';

export interface ReadingsDeps {
  db: Database;
  audit: AuditService;
  events: Events;
  clock: Clock;
}

/** An idempotent request: the caller's scope and key, and the route it was sent to. */
export interface Idempotency {
  scope: string;
  key: string;
  route: string;
}

export interface WriteAnswer<T> {
  statusCode: number;
  body: T;
  replayed: boolean;
}

type Candidate = { index: number; row: NewReading };
type ItemOutcome = BatchResult['results'][number];

const DEVICE_SOURCES = new Set(['meter', 'cgm']);

export class ReadingsService {
  constructor(private readonly d: ReadingsDeps) {}

  /** `POST /v1/readings`: 201 with the reading, or 200 with the existing one for a device duplicate. */
  async create(actor: Actor, origin: AuditOrigin, body: CreateReadingBody, idem?: Idempotency) {
    const now = this.d.clock.now().getTime();
    const checked = checkReadingInput(body, now);
    if (!checked.ok) throw new ValidationError(checked.errors);
    const patientId = await this.targetPatient(actor, origin, body.patientId, 'readings.create');
    const row = toNewReading(actor, patientId, checked);
    return this.write<Reading>(idem, { patientId, body }, async (tx) => {
      const [outcome] = await this.insertForPatient(tx, actor, patientId, [{ index: 0, row }]);
      const id = outcome?.id as number;
      const created = outcome?.status === 'created';
      await this.d.audit.record(tx, {
        ...origin,
        action: created ? 'readings.create' : 'readings.duplicate',
        resourceType: 'reading',
        resourceId: id,
        patientId,
        outcome: 'success',
        details: { source: row.source, idempotencyKey: idem !== undefined },
      });
      if (created) await this.d.events.publishAfterCommit(tx, 'readings', 'created', { patientId, count: 1 });
      const stored = await repo.getById(tx, id);
      return { statusCode: created ? 201 : 200, body: toReading(stored as repo.ReadingRow) };
    });
  }

  /**
   * `POST /v1/readings/batch`: every item answered `created`, `duplicate` (with the existing id) or
   * `invalid` (with its errors). One transaction; an invalid item never blocks the valid ones.
   */
  async createBatch(actor: Actor, origin: AuditOrigin, items: readonly unknown[], idem?: Idempotency) {
    const now = this.d.clock.now().getTime();
    const results: ItemOutcome[] = new Array(items.length);
    const byPatient = new Map<number, Candidate[]>();
    for (const [index, raw] of items.entries()) {
      const checked = checkReadingInput(raw, now, `readings.${index}`);
      if (!checked.ok) {
        results[index] = { index, status: 'invalid', errors: checked.errors };
        continue;
      }
      const patientId = this.batchPatient(actor, checked.input.patientId);
      if (patientId === null) {
        results[index] = {
          index,
          status: 'invalid',
          errors: { [`readings.${index}.patientId`]: isStaff(actor) ? 'is required' : 'not found' },
        };
        continue;
      }
      const list = byPatient.get(patientId) ?? [];
      list.push({ index, row: toNewReading(actor, patientId, checked) });
      byPatient.set(patientId, list);
    }
    return this.write<BatchResult>(idem, { items }, async (tx) => {
      // Patients in id order: two batches naming the same patients cannot deadlock.
      for (const patientId of [...byPatient.keys()].sort((a, b) => a - b)) {
        const candidates = byPatient.get(patientId) ?? [];
        const outcomes = await this.insertForPatient(tx, actor, patientId, candidates);
        for (const o of outcomes) results[o.index] = o;
        const created = outcomes.filter((o) => o.status === 'created').length;
        const missing = outcomes.filter((o) => o.status === 'invalid').length;
        await this.d.audit.record(tx, {
          ...origin,
          action: 'readings.batch_create',
          resourceType: 'reading',
          patientId: missing === outcomes.length ? null : patientId,
          outcome: missing === outcomes.length ? 'failure' : 'success',
          details: { items: outcomes.length, created, duplicates: outcomes.length - created - missing, missing },
        });
        if (created > 0)
          await this.d.events.publishAfterCommit(tx, 'readings', 'created', { patientId, count: created });
      }
      const counts = { created: 0, duplicates: 0, invalid: 0 };
      for (const r of results) {
        if (r.status === 'created') counts.created += 1;
        else if (r.status === 'duplicate') counts.duplicates += 1;
        else counts.invalid += 1;
      }
      return { statusCode: 200, body: { ...counts, results } };
    });
  }

  /** Edits a live reading: a new revision and change-feed position, audited by field name. */
  async update(actor: Actor, origin: AuditOrigin, id: number, patch: UpdateReadingBody): Promise<Reading> {
    const current = await this.reachable(actor, origin, id, 'readings.update');
    const value = patch.valueMgDl !== undefined || patch.value !== undefined ? normaliseValue(patch) : null;
    if (value && isErrors(value)) throw new ValidationError(value);
    if (patch.unit !== undefined && !value) throw new ValidationError({ 'body.unit': 'give it with value' });
    const measuredAt = patch.measuredAt === undefined ? null : new Date(patch.measuredAt);
    const when = measuredAt && measuredAtProblem(measuredAt, this.d.clock.now().getTime());
    if (when) throw new ValidationError({ 'body.measuredAt': when });
    if ((value || measuredAt) && DEVICE_SOURCES.has(current.source)) {
      throw new ConflictError('device_reading_immutable', 'A value or time recorded by a device cannot be edited.');
    }
    return withTransaction(this.d.db, async (tx) => {
      const { patient, row } = await this.lockReading(tx, current.patientId, id);
      if (patch.revision !== undefined && patch.revision !== row.revision) {
        throw new ConflictError('stale_revision', `The reading is at revision ${row.revision}.`);
      }
      const set: Partial<repo.ReadingRow> = {};
      if (value) Object.assign(set, { valueMgDl: value.valueMgDl, rangeFlag: value.rangeFlag, unit: value.unit });
      if (measuredAt) set.measuredAt = measuredAt;
      if (patch.context !== undefined) set.context = patch.context;
      if (patch.sampleLocation !== undefined) set.sampleLocation = patch.sampleLocation;
      if (patch.notes !== undefined) set.notes = patch.notes;
      const fields = changedFields(row, set);
      if (fields.length === 0) return toReading(row);
      const seq = patient.changeSeq + 1;
      const updated = await repo.updateById(tx, id, { ...set, revision: row.revision + 1, changeSeq: seq });
      if (fields.some((f) => f === 'valueMgDl' || f === 'rangeFlag' || f === 'measuredAt')) {
        await applySummaryDeltas(tx, [delta(patient.timezone, row, -1), delta(patient.timezone, updated, 1)]);
      }
      const last = measuredAt ? await repo.latestMeasuredAt(tx, row.patientId) : patient.lastReadingAt;
      await repo.saveGamification(tx, row.patientId, stateOf(patient), seq, last);
      await this.d.audit.record(tx, {
        ...origin,
        action: 'readings.update',
        resourceType: 'reading',
        resourceId: id,
        patientId: row.patientId,
        outcome: 'success',
        details: { fields, revision: updated.revision },
      });
      await this.d.events.publishAfterCommit(tx, 'readings', 'updated', { patientId: row.patientId, readingId: id });
      return toReading(updated);
    });
  }

  /** Soft delete: the reading leaves lists, statistics and counters, and stays in the change feed. */
  async remove(actor: Actor, origin: AuditOrigin, id: number): Promise<void> {
    const current = await this.reachable(actor, origin, id, 'readings.delete');
    await withTransaction(this.d.db, async (tx) => {
      const { patient, row } = await this.lockReading(tx, current.patientId, id);
      const seq = patient.changeSeq + 1;
      await repo.updateById(tx, id, { deletedAt: this.d.clock.now(), revision: row.revision + 1, changeSeq: seq });
      await applySummaryDeltas(tx, [delta(patient.timezone, row, -1)]);
      const last = await repo.latestMeasuredAt(tx, row.patientId);
      await repo.saveGamification(tx, row.patientId, removeReadings(stateOf(patient), 1), seq, last);
      await this.d.audit.record(tx, {
        ...origin,
        action: 'readings.delete',
        resourceType: 'reading',
        resourceId: id,
        patientId: row.patientId,
        outcome: 'success',
        details: { revision: row.revision + 1 },
      });
      await this.d.events.publishAfterCommit(tx, 'readings', 'deleted', { patientId: row.patientId, readingId: id });
    });
  }

  /** A live reading the actor may change (owner or staff); anything else is audited and 404. */
  async reachable(actor: Actor, origin: AuditOrigin, id: number, action: string): Promise<repo.ReadingRow> {
    const row = await repo.getById(this.d.db, id);
    const ok = row !== null && row.deletedAt === null && (isStaff(actor) || actor.id === row.patientId);
    if (!ok) {
      await this.d.audit.record(this.d.db, {
        ...origin,
        action,
        resourceType: 'reading',
        resourceId: id,
        patientId: row && actor.kind !== 'patient' ? row.patientId : null,
        outcome: row && row.deletedAt === null ? 'denied' : 'failure',
        details: { reason: row && row.deletedAt === null ? 'not_permitted' : 'not_found' },
      });
      throw new NotFoundError('reading');
    }
    return row;
  }

  private async lockReading(tx: Executor, patientId: number, id: number) {
    // Patient first, then the reading: the same order as creates, so writers never deadlock.
    const patient = await repo.lockPatient(tx, patientId);
    const row = await repo.lockById(tx, id);
    if (!patient || !row || row.deletedAt !== null || row.patientId !== patientId) throw new NotFoundError('reading');
    return { patient, row };
  }

  /** Runs `work` in a transaction, behind the idempotency key when there is one. */
  private async write<T>(
    idem: Idempotency | undefined,
    request: unknown,
    work: (tx: Executor) => Promise<{ statusCode: number; body: T }>,
  ): Promise<WriteAnswer<T>> {
    return withTransaction(this.d.db, async (tx) => {
      let c: IdempotencyClaim | null = null;
      if (idem) {
        c = { ...idem, requestHash: requestHash(request) };
        const replay: StoredResponse | null = await claim(tx, c, this.d.clock.now().getTime());
        if (replay) return { statusCode: replay.statusCode, body: replay.body as T, replayed: true };
      }
      const answer = await work(tx);
      if (c) await complete(tx, c, answer);
      return { ...answer, replayed: false };
    });
  }

  /**
   * Inserts one patient's candidates under the patient lock. Candidates get consecutive change-feed
   * positions; `ON CONFLICT DO NOTHING` skips device duplicates (also within the batch), whose
   * existing ids are then looked up. Counters and summaries move for the inserted rows only.
   */
  private async insertForPatient(
    tx: Executor,
    actor: Actor,
    patientId: number,
    candidates: readonly Candidate[],
  ): Promise<ItemOutcome[]> {
    const patient = await repo.lockPatient(tx, patientId);
    if (!patient) {
      return candidates.map((c) => ({
        index: c.index,
        status: 'invalid' as const,
        errors: { [`readings.${c.index}.patientId`]: 'not found' },
      }));
    }
    const base = patient.changeSeq;
    const rows = candidates.map((c, i) => ({
      ...c.row,
      changeSeq: base + i + 1,
      enteredByKind: actor.kind,
      enteredById: actor.kind === 'device' ? null : actor.id,
    }));
    const inserted = await repo.insertMany(tx, rows);
    const idBySeq = new Map(inserted.map((r) => [r.changeSeq, r.id]));
    const dupes = rows.filter((r) => !idBySeq.has(r.changeSeq));
    const existing = await repo.findByDeviceKeys(
      tx,
      patientId,
      dupes.map((r) => ({
        deviceId: r.deviceId as string,
        sequenceNumber: r.sequenceNumber,
        deviceTime: r.measuredAt,
      })),
    );
    const keyOf = (deviceId: string, seq: number | null, ms: number) => `${deviceId}|${seq ?? ''}|${ms}`;
    const existingByKey = new Map(existing.map((e) => [keyOf(e.deviceId, e.sequenceNumber, e.deviceTimeMs), e.id]));
    const outcomes: ItemOutcome[] = candidates.map((c, i) => {
      const r = rows[i] as (typeof rows)[number];
      const id = idBySeq.get(r.changeSeq);
      if (id !== undefined) return { index: c.index, status: 'created', id };
      const dup = existingByKey.get(keyOf(r.deviceId as string, r.sequenceNumber, r.measuredAt.getTime()));
      return dup === undefined
        ? { index: c.index, status: 'invalid', errors: { [`readings.${c.index}`]: 'conflicts with another reading' } }
        : { index: c.index, status: 'duplicate', id: dup };
    });
    const fresh = rows.filter((r) => idBySeq.has(r.changeSeq));
    if (fresh.length > 0) {
      // Gamification follows the readings' own order in time, as a meter would have taken them.
      const ordered = [...fresh].sort((a, b) => a.measuredAt.getTime() - b.measuredAt.getTime());
      const days = ordered.map((r) => localDay(patient.timezone, r.measuredAt.getTime()));
      const state = applyReadings(stateOf(patient), days);
      const newest = ordered.at(-1)?.measuredAt as Date;
      const last = patient.lastReadingAt && patient.lastReadingAt > newest ? patient.lastReadingAt : newest;
      await repo.saveGamification(tx, patientId, state, base + rows.length, last);
      await applySummaryDeltas(
        tx,
        ordered.map((r, i) => ({
          patientId,
          day: days[i] as string,
          valueMgDl: r.valueMgDl,
          rangeFlag: r.rangeFlag,
          sampleType: r.sampleType,
          sign: 1 as const,
        })),
      );
    } else if (rows.length > 0) {
      // Positions were handed out (and skipped); keep the head past them so they are never reused.
      await repo.saveGamification(tx, patientId, stateOf(patient), base + rows.length, patient.lastReadingAt);
    }
    return outcomes;
  }

  /** Whose reading a single create is; refusals are audited and answered 404 (400 for staff without one). */
  private async targetPatient(actor: Actor, origin: AuditOrigin, requested: number | undefined, action: string) {
    if (isStaff(actor)) {
      if (requested === undefined) throw new ValidationError({ 'body.patientId': 'is required for staff' });
      if (await repo.patientExists(this.d.db, requested)) return requested;
    } else if (requested === undefined || requested === actor.id) {
      return actor.id;
    }
    await this.d.audit.record(this.d.db, {
      ...origin,
      action,
      resourceType: 'reading',
      patientId: null,
      outcome: 'failure',
      details: { reason: isStaff(actor) ? 'not_found' : 'not_permitted' },
    });
    throw new NotFoundError('patient');
  }

  /** A batch item's patient, or null when the item must be refused (checked for existence later). */
  private batchPatient(actor: Actor, requested: number | undefined): number | null {
    if (isStaff(actor)) return requested ?? null;
    return requested === undefined || requested === actor.id ? actor.id : null;
  }
}

function toNewReading(
  actor: Actor,
  patientId: number,
  c: {
    input: CreateReadingBody;
    value: { valueMgDl: number | null; rangeFlag: 'LO' | 'HI' | null; unit: 'mg/dL' | 'mmol/L' };
    measuredAt: Date;
  },
): NewReading {
  const i = c.input;
  return {
    ...c.value,
    patientId,
    measuredAt: c.measuredAt,
    context: i.context ?? 'other',
    source: i.source ?? (actor.kind === 'device' ? 'meter' : 'manual'),
    deviceId: i.deviceId ?? null,
    sequenceNumber: i.sequenceNumber ?? null,
    sampleType: i.sampleType ?? null,
    sampleLocation: i.sampleLocation ?? null,
    notes: i.notes ?? null,
  };
}

function stateOf(p: repo.LockedPatient): GamificationState {
  return {
    timesMeasured: p.timesMeasured,
    streak: p.streak,
    maxStreak: p.maxStreak,
    fourTimesToday: p.fourTimesToday,
    counterDay: p.counterDay,
    streakLastDate: p.streakLastDate,
  };
}

function delta(timezone: string, r: repo.ReadingRow, sign: 1 | -1): SummaryDelta {
  return {
    patientId: r.patientId,
    day: localDay(timezone, r.measuredAt.getTime()),
    valueMgDl: r.valueMgDl,
    rangeFlag: r.rangeFlag as 'LO' | 'HI' | null,
    sampleType: r.sampleType,
    sign,
  };
}

function changedFields(row: repo.ReadingRow, set: Partial<repo.ReadingRow>): string[] {
  return Object.entries(set)
    .filter(([k, v]) => {
      const old = row[k as keyof repo.ReadingRow];
      return v instanceof Date && old instanceof Date ? v.getTime() !== old.getTime() : v !== old;
    })
    .map(([k]) => k);
}
