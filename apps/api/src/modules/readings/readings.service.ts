/**
 * Reading writes: single create and batch sync (edits and deletes: readings.edits.ts; who may reach
 * which patient's readings: readings.access.ts). Transport-free.
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
import { ValidationError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import { localDay } from '../../lib/local-time.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import { ReadingsAccess } from './readings.access.js';
import { ReadingEdits } from './readings.edits.js';
import { applyReadings } from './readings.gamification.js';
import { claim, complete, type IdempotencyClaim, requestHash, type StoredResponse } from './readings.idempotency.js';
import { lockPatient, saveGamification, stateOf } from './readings.patient.repository.js';
import * as repo from './readings.repository.js';
import { checkReadingInput, type NewReading } from './readings.rules.js';
import type { BatchResult, CreateReadingBody, Reading, UpdateReadingBody } from './readings.schema.js';
import { applySummaryDeltas } from './readings.summaries.js';
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

export class ReadingsService {
  private readonly access: ReadingsAccess;
  private readonly edits: ReadingEdits;

  constructor(private readonly d: ReadingsDeps) {
    this.access = new ReadingsAccess(d);
    this.edits = new ReadingEdits({ ...d, access: this.access });
  }

  /** `POST /v1/readings`: 201 with the reading, or 200 with the existing one for a device duplicate. */
  async create(actor: Actor, origin: AuditOrigin, body: CreateReadingBody, idem?: Idempotency) {
    const now = this.d.clock.now().getTime();
    const checked = checkReadingInput(body, now);
    if (!checked.ok) throw new ValidationError(checked.errors);
    const patientId = await this.access.targetPatient(actor, origin, body.patientId, 'readings.create');
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
      const patientId = this.access.batchPatient(actor, checked.input.patientId);
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
    const patient = await lockPatient(tx, patientId);
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
      await saveGamification(tx, patientId, state, base + rows.length, last);
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
      await saveGamification(tx, patientId, stateOf(patient), base + rows.length, patient.lastReadingAt);
    }
    return outcomes;
  }

  /** Edits and deletes (readings.edits.ts). */
  update(actor: Actor, origin: AuditOrigin, id: number, patch: UpdateReadingBody): Promise<Reading> {
    return this.edits.update(actor, origin, id, patch);
  }

  remove(actor: Actor, origin: AuditOrigin, id: number): Promise<void> {
    return this.edits.remove(actor, origin, id);
  }

  /** A live reading the actor may change (readings.access.ts); the reads ask too. */
  reachable(actor: Actor, origin: AuditOrigin, id: number, action: string): Promise<repo.ReadingRow> {
    return this.access.reachable(actor, origin, id, action);
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
