import { describe, expect, it } from 'vitest';
import { formatLegacyDate, toLegacyReading } from './legacy.views.js';

const AR = 'America/Argentina/Buenos_Aires';

describe('legacy views', () => {
  it('formats instants as DD/MM/YYYY HH:MM:SS in Argentina time (UTC−3, no DST)', () => {
    expect(formatLegacyDate(new Date('2026-01-18T10:46:15.900Z'), AR)).toBe('18/01/2026 07:46:15');
    expect(formatLegacyDate(new Date('2026-07-01T02:05:09Z'), AR)).toBe('30/06/2026 23:05:09');
    expect(formatLegacyDate(new Date('2026-03-01T03:00:00Z'), 'Europe/Madrid')).toBe('01/03/2026 04:00:00');
  });

  it('maps a reading with its legacy type and keeps the value and notes', () => {
    const r = toLegacyReading(
      {
        id: 7,
        patientId: 3,
        valueMgDl: 135,
        context: 'breakfast',
        notes: 'ayunas',
        measuredAt: new Date('2026-01-18T10:46:15Z'),
      },
      AR,
    );
    expect(r).toEqual({
      id: 7,
      user_id: 3,
      glucose_level: 135,
      reading_type: 'DESAYUNO',
      created_at: '18/01/2026 07:46:15',
      notes: 'ayunas',
    });
    expect(
      toLegacyReading(
        {
          ...r,
          patientId: 3,
          valueMgDl: null,
          rangeFlag: 'HI',
          context: 'fasting',
          notes: null,
          measuredAt: new Date(0),
        },
        AR,
      ),
    ).toMatchObject({ glucose_level: 600, reading_type: 'OTRO' });
  });
});
