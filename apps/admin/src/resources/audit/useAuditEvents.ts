/**
 * Keyset paging of the audit trail: the first page for the applied filters, then "load more" with
 * the server's `nextCursor` (one request per page; a new filter starts over and drops late answers).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { type AuditEvent, type AuditListQuery, PAGE_SIZE } from './query';

export interface AuditEventsState {
  rows: AuditEvent[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
  loadMore(): void;
}

export function useAuditEvents(filters: Omit<AuditListQuery, 'cursor' | 'limit'>, client = api): AuditEventsState {
  const [rows, setRows] = useState<AuditEvent[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);
  const key = JSON.stringify(filters);

  const fetchPage = useCallback(
    async (cursor: string | null, gen: number) => {
      setLoading(true);
      setError(null);
      try {
        const query: AuditListQuery = { ...JSON.parse(key), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
        const page = unwrap(await client.GET('/v1/audit-events', { params: { query } }));
        if (gen !== generation.current) return; // the filters changed meanwhile
        setRows((prev) => (cursor ? [...prev, ...page.data] : page.data));
        setNextCursor(page.nextCursor);
      } catch (err) {
        if (gen === generation.current) setError(err);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [key, client],
  );

  useEffect(() => {
    generation.current += 1;
    setRows([]);
    setNextCursor(null);
    void fetchPage(null, generation.current);
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    if (nextCursor && !loading) void fetchPage(nextCursor, generation.current);
  }, [nextCursor, loading, fetchPage]);

  return { rows, nextCursor, loading, error, loadMore };
}
