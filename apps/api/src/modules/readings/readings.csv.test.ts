import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { exportReading } from '../../../test/fixtures/readings.export.js';
import { csvChunk, csvRecord, localTime } from './readings.csv.js';
import type { ExportReading } from './readings.export.repository.js';
import { CSV_COLUMNS } from './readings.export.schema.js';

const reading = (over: Partial<ExportReading> = {}): ExportReading => exportReading({ id: 7, valueMgDl: 180, ...over });

describe('local time column', () => {
  it('shows the instant on the patient wall clock with its offset', () => {
    expect(localTime(Date.parse('2026-03-01T12:15:00Z'), 'America/Argentina/Buenos_Aires')).toBe(
      '2026-03-01T09:15:00-03:00',
    );
    expect(localTime(Date.parse('2026-07-01T23:30:00Z'), 'Asia/Kolkata')).toBe('2026-07-02T05:00:00+05:30');
    expect(localTime(Date.parse('2026-07-01T23:30:00Z'), 'UTC')).toBe('2026-07-01T23:30:00+00:00');
  });

  it('keeps the two repeated hours of a DST fall-back apart', () => {
    // New York falls back on 2026-11-01 at 02:00 EDT: 01:30 happens twice.
    expect(localTime(Date.parse('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-04:00');
    expect(localTime(Date.parse('2026-11-01T06:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-05:00');
  });
});

describe('CSV records', () => {
  it('has the documented columns in order, with mmol/L at one decimal', () => {
    const text = csvChunk([reading()], 'America/Argentina/Buenos_Aires', true);
    const [head, row] = parse(text) as string[][];
    expect(head).toEqual([...CSV_COLUMNS]);
    expect(row).toEqual([
      '7',
      '2026-03-01T12:15:00.000Z',
      '2026-03-01T09:15:00-03:00',
      '180',
      '10',
      '',
      'mg/dL',
      'lunch',
      'meter',
      'meter-1',
      '42',
      'capillary_whole_blood',
      'finger',
      '',
    ]);
  });

  it('converts with 18.0156 (54 mg/dL is 3.0 mmol/L, 250 is 13.9)', () => {
    expect(csvRecord(reading({ valueMgDl: 54 }), 'UTC')[4]).toBe(3);
    expect(csvRecord(reading({ valueMgDl: 250 }), 'UTC')[4]).toBe(13.9);
    expect(csvRecord(reading({ valueMgDl: 154.5 }), 'UTC')[3]).toBe(154.5);
  });

  it('writes a LO or HI flag with both values empty', () => {
    const [, row] = parse(csvChunk([reading({ valueMgDl: null, rangeFlag: 'HI' })], 'UTC', true)) as string[][];
    expect(row?.slice(3, 6)).toEqual(['', '', 'HI']);
  });

  it('neutralises cells a spreadsheet would run as formulas', () => {
    const hostile = ['=HYPERLINK("http://x.example","y")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd', '＝1+1'];
    const text = csvChunk(
      hostile.map((notes, i) => reading({ id: i + 1, notes, deviceId: notes })),
      'UTC',
      false,
    );
    const rows = parse(text, { relax_column_count: false }) as string[][];
    expect(rows.map((r) => r[13])).toEqual(hostile.map((h) => `'${h}`));
    expect(rows.map((r) => r[9])).toEqual(hostile.map((h) => `'${h}`));
  });

  it('quotes commas, quotes and line breaks so a note cannot add columns or rows', () => {
    const notes = 'after lunch, "big" meal\nsecond line';
    const text = csvChunk([reading({ notes })], 'UTC', false);
    const rows = parse(text) as string[][];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveLength(CSV_COLUMNS.length);
    expect(rows[0]?.[13]).toBe(notes);
  });

  it('writes only the header for an empty chunk when asked, and nothing otherwise', () => {
    expect(csvChunk([], 'UTC', true)).toBe(`${CSV_COLUMNS.join(',')}\n`);
    expect(csvChunk([], 'UTC', false)).toBe('');
  });
});
