import { describe, expect, it } from 'vitest';
import { clinicLocalToIso, filterErrors, NO_FILTERS, toApiFilters } from './query';

describe('audit filters', () => {
  it('reads the date range on the clinic clock (Buenos Aires is UTC-3, no DST)', () => {
    expect(clinicLocalToIso('2026-12-06T08:00', 'America/Argentina/Buenos_Aires')).toBe('2026-12-06T11:00:00.000Z');
  });

  it('crosses a DST change correctly (Madrid: winter UTC+1, summer UTC+2)', () => {
    expect(clinicLocalToIso('2026-01-15T10:30', 'Europe/Madrid')).toBe('2026-01-15T09:30:00.000Z');
    expect(clinicLocalToIso('2026-07-15T10:30', 'Europe/Madrid')).toBe('2026-07-15T08:30:00.000Z');
  });

  it('sends only what the API accepts', () => {
    const query = toApiFilters(
      { ...NO_FILTERS, actorId: ' 7 ', patientId: 'x', action: ' staff.create ', outcome: 'denied', actorRole: 'root' },
      'UTC',
    );
    expect(query).toEqual({ actorId: 7, action: 'staff.create', outcome: 'denied' });
  });

  it('flags non-numeric ids and a reversed range before asking the API', () => {
    expect(filterErrors({ ...NO_FILTERS, actorId: '-1', from: '2026-02-01T00:00', to: '2026-01-01T00:00' })).toEqual({
      actorId: 'dfy.validation.format',
      to: 'dfy.validation.range',
    });
    expect(filterErrors(NO_FILTERS)).toEqual({});
  });
});
