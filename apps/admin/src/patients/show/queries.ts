/**
 * The patient page's reads, through the typed client. Each tab asks only for what it shows, and
 * only when the role may read it (the server refuses the rest anyway).
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { Reading } from './chartData';

export function useStats(patientId: number, from: string, to: string, tz: string, enabled = true) {
  return useQuery({
    queryKey: ['pp.stats', patientId, from, to, tz],
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/patients/{id}/stats', { params: { path: { id: patientId }, query: { from, to, tz } } }),
      ),
  });
}

export function useAgp(patientId: number, from: string, to: string, tz: string, enabled = true) {
  return useQuery({
    queryKey: ['pp.agp', patientId, from, to, tz],
    enabled,
    queryFn: async () =>
      unwrap(await api.GET('/v1/patients/{id}/agp', { params: { path: { id: patientId }, query: { from, to, tz } } })),
  });
}

/** A 14-day CGM window is ~4 000 readings: at most this many 500-reading pages for one chart. */
const MAX_PAGES = 12;

/** Every reading of [from, to) (instants), following the keyset cursor; oldest-first order is the chart's job. */
export function useReadingsRange(patientId: number, from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: ['pp.readings-range', patientId, from, to],
    enabled,
    queryFn: async () => {
      const all: Reading[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const body = unwrap(
          await api.GET('/v1/patients/{id}/readings', {
            params: { path: { id: patientId }, query: { from, to, limit: 500, ...(cursor ? { cursor } : {}) } },
          }),
        );
        all.push(...body.data);
        if (!body.nextCursor) return { readings: all, truncated: false };
        cursor = body.nextCursor;
      }
      return { readings: all, truncated: true };
    },
  });
}

export function usePatient(patientId: number) {
  return useQuery({
    queryKey: ['pp.patient', patientId],
    queryFn: async () => unwrap(await api.GET('/v1/patients/{id}', { params: { path: { id: patientId } } })),
  });
}
