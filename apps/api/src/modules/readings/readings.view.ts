/** Stored reading → API reading (the response schema drops anything not listed there). */
import type { ReadingRow } from './readings.repository.js';
import { mgDlToMmol } from './readings.rules.js';
import type { Reading } from './readings.schema.js';

/** The stored reading, for other modules that hold one (they never import the repository). */
export type { ReadingRow };

export function toReading(r: ReadingRow): Reading {
  return {
    id: r.id,
    patientId: r.patientId,
    valueMgDl: r.valueMgDl,
    valueMmolL: r.valueMgDl === null ? null : mgDlToMmol(r.valueMgDl),
    belowMeasurableRange: r.rangeFlag === 'LO',
    aboveMeasurableRange: r.rangeFlag === 'HI',
    unit: r.unit as Reading['unit'],
    measuredAt: r.measuredAt.toISOString(),
    context: r.context as Reading['context'],
    source: r.source as Reading['source'],
    deviceId: r.deviceId,
    sequenceNumber: r.sequenceNumber,
    sampleType: r.sampleType as Reading['sampleType'],
    sampleLocation: r.sampleLocation as Reading['sampleLocation'],
    notes: r.notes,
    revision: r.revision,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
