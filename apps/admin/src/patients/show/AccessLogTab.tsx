/** Admins: the audit events about this patient, newest first, one keyset page per "load more". */
import {
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useLocaleState, useTranslate } from 'react-admin';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { formatDateTime } from '../../locale/time';

export function AccessLogTab({ patientId }: { patientId: number }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const pages = useInfiniteQuery({
    queryKey: ['pp.access', patientId],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/audit-events', {
          params: { query: { patientId, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = pages.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Box>
      <Typography variant="subtitle1" component="h2" gutterBottom>
        {translate('dfy.pp.access.title')}
      </Typography>
      <TableContainer sx={{ overflowX: 'auto' }}>
        <Table size="small" data-testid="access-log">
          <TableHead>
            <TableRow>
              <TableCell>{translate('dfy.pp.access.when')}</TableCell>
              <TableCell>{translate('dfy.pp.access.actor')}</TableCell>
              <TableCell>{translate('dfy.pp.access.action')}</TableCell>
              <TableCell>{translate('dfy.pp.access.outcome')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((e) => (
              <TableRow key={e.id}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt, locale)}</TableCell>
                <TableCell>
                  {translate(`dfy.pp.roles.${e.actor.role}`, { _: e.actor.role })}
                  {e.actor.id !== null ? ` #${e.actor.id}` : ''}
                </TableCell>
                <TableCell>
                  <code>{e.action}</code>
                </TableCell>
                <TableCell>{translate(`dfy.pp.access.outcomes.${e.outcome}`)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      {pages.isPending && <Typography role="status">{translate('dfy.common.loading')}</Typography>}
      {!pages.isPending && rows.length === 0 && (
        <Typography role="status">{translate('dfy.pp.access.empty')}</Typography>
      )}
      {pages.hasNextPage && (
        <Button onClick={() => pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          {translate('dfy.pp.glucose.load_more')}
        </Button>
      )}
    </Box>
  );
}
