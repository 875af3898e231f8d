/**
 * Reading edits: change a live reading (a new revision) or delete it (soft). Same transaction
 * discipline as the writes (readings.service.ts): patient row locked first, so edits take their
 * change-feed position in commit order; counters, day summaries and the audit row move with them.
 */
import type { Database, Executor } from '../../db/client.js';
import { withTransaction } from '../../db/transaction.js';
import type { Actor } from '../../lib/authorization.js';
import type { Clock } from '../../lib/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Events } from '../../lib/events.js';
import { localDay } from '../../lib/local-time.js';
import type { AuditOrigin, AuditService } from '../audit/audit.service.js';
import type { ReadingsAccess } from './readings.access.js';
import { removeReadings } from './readings.gamification.js';
import { lockPatient, saveGamification, stateOf } from './readings.patient.repository.js';
import * as repo from './readings.repository.js';
import { isErrors, measuredAtProblem, normaliseValue } from './readings.rules.js';
import type { Reading, UpdateReadingBody } from './readings.schema.js';
import { applySummaryDeltas, type SummaryDelta } from './readings.summaries.js';
import { toReading } from './readings.view.js';

export interface ReadingEditsDeps {
  db: Database;
  audit: AuditService;
  events: Events;
  clock: Clock;
  access: ReadingsAccess;
}

const DEVICE_SOURCES = new Set(['meter', 'cgm']);

export class ReadingEdits {
  constructor(private readonly d: ReadingEditsDeps) {}

  /** Edits a live reading: a new revision and change-feed position, audited by field name. */
  async update(actor: Actor, origin: AuditOrigin, id: number, patch: UpdateReadingBody): Promise<Reading> {
    const current = await this.d.access.reachable(actor, origin, id, 'readings.update');
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
      await saveGamification(tx, row.patientId, stateOf(patient), seq, last);
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
    const current = await this.d.access.reachable(actor, origin, id, 'readings.delete');
    await withTransaction(this.d.db, async (tx) => {
      const { patient, row } = await this.lockReading(tx, current.patientId, id);
      const seq = patient.changeSeq + 1;
      await repo.updateById(tx, id, { deletedAt: this.d.clock.now(), revision: row.revision + 1, changeSeq: seq });
      await applySummaryDeltas(tx, [delta(patient.timezone, row, -1)]);
      const last = await repo.latestMeasuredAt(tx, row.patientId);
      await saveGamification(tx, row.patientId, removeReadings(stateOf(patient), 1), seq, last);
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

  private async lockReading(tx: Executor, patientId: number, id: number) {
    // Patient first, then the reading: the same order as creates, so writers never deadlock.
    const patient = await lockPatient(tx, patientId);
    const row = await repo.lockById(tx, id);
    if (!patient || !row || row.deletedAt !== null || row.patientId !== patientId) throw new NotFoundError('reading');
    return { patient, row };
  }
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
