/**
 * The readings CSV (columns in `readings.export.schema.ts`): one record per reading, written by
 * csv-stringify chunk by chunk as the rows arrive, so the export never holds more than one chunk.
 * Formula injection: text cells that a spreadsheet would evaluate (= + - @ tab CR, and their
 * full-width forms) get a leading `'`, as in the audit export.
 */
import { stringify } from 'csv-stringify/sync';
import { timezoneOffsetMs } from '../../lib/local-time.js';
import type { ExportReading } from './readings.export.repository.js';
import { CSV_COLUMNS } from './readings.export.schema.js';
import { mgDlToMmol } from './readings.rules.js';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The instant on the patient's wall clock, ISO 8601 with its offset (`2026-03-01T09:15:00-03:00`):
 * the offset keeps the two repeated hours of a DST fall-back apart. Offsets are memoised per hour
 * (Intl is far too slow to call a million times).
 */
export function localTime(utcMs: number, timezone: string): string {
  const offsetMs = timezoneOffsetMs(timezone, utcMs);
  const local = new Date(utcMs + offsetMs).toISOString().slice(0, 19);
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${local}${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

export type CsvCell = string | number | null;

export function csvRecord(r: ExportReading, timezone: string): CsvCell[] {
  const at = r.measuredAt.getTime();
  return [
    r.id,
    r.measuredAt.toISOString(),
    localTime(at, timezone),
    r.valueMgDl,
    r.valueMgDl === null ? null : mgDlToMmol(r.valueMgDl),
    r.rangeFlag,
    r.unit,
    r.context,
    r.source,
    r.deviceId,
    r.sequenceNumber,
    r.sampleType,
    r.sampleLocation,
    r.notes,
  ];
}

/**
 * One chunk of readings as CSV text (with the header row when `header`). Chunks are stringified
 * synchronously: one call per few thousand rows costs less than a stream transform per record.
 */
export function csvChunk(rows: readonly ExportReading[], timezone: string, header: boolean): string {
  return stringify(
    rows.map((r) => csvRecord(r, timezone)),
    { header, columns: [...CSV_COLUMNS], escape_formulas: true },
  );
}
