/**
 * The patient's readings, newest first, one API page (keyset cursor) per "load more". Values are
 * coloured by the patient's own target range and always carry a text label (never colour alone).
 * Clinicians may add, edit and delete (the API's editors); deletes are soft and audited.
 */
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import EditIcon from '@mui/icons-material/Edit';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
  useTheme,
} from '@mui/material';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type HttpError, useLocaleState, useNotify, useTranslate } from 'react-admin';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { bandOf, colorOf, type TargetRange } from '../../glucose/colors';
import { formatGlucose } from '../../glucose/units';
import { useGlucoseUnit } from '../../glucose/useGlucoseUnit';
import { formatDateTime, intlLocale } from '../../locale/time';
import type { Reading } from './chartData';
import { ReadingDialog } from './ReadingDialog';

interface Props {
  patientId: number;
  patientName: string;
  timeZone: string;
  target: TargetRange;
  canEdit: boolean;
}

export function ReadingsTable({ patientId, patientName, timeZone, target, canEdit }: Props) {
  const translate = useTranslate();
  const notify = useNotify();
  const [locale] = useLocaleState();
  const [unit] = useGlucoseUnit();
  const theme = useTheme();
  const mode = theme.palette.mode === 'dark' ? 'dark' : 'light';
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Reading | null>(null);
  const [deleting, setDeleting] = useState<Reading | null>(null);
  const pages = useInfiniteQuery({
    queryKey: ['pp.readings', patientId],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/patients/{id}/readings', {
          params: { path: { id: patientId }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = pages.data?.pages.flatMap((p) => p.data) ?? [];
  const refresh = () => {
    // The table, the chart and the statistics all read readings: refetch them together.
    for (const key of ['pp.readings', 'pp.readings-range', 'pp.stats', 'pp.agp']) {
      void queryClient.invalidateQueries({ queryKey: [key, patientId] });
    }
  };

  async function remove(r: Reading) {
    try {
      unwrap(await api.DELETE('/v1/readings/{id}', { params: { path: { id: r.id } } }));
      notify('dfy.pp.glucose.deleted', { type: 'success' });
      refresh();
    } catch (e) {
      notify((e as HttpError).message, { type: 'error' });
    } finally {
      setDeleting(null);
    }
  }

  return (
    <Box>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', my: 1 }}>
        <Typography variant="subtitle1" component="h2">
          {translate('dfy.pp.glucose.table_title')}
        </Typography>
        {canEdit && (
          <Button startIcon={<AddIcon />} variant="contained" onClick={() => setAdding(true)}>
            {translate('dfy.pp.glucose.add')}
          </Button>
        )}
      </Box>
      <TableContainer sx={{ overflowX: 'auto' }}>
        <Table size="small" data-testid="readings-table">
          <TableHead>
            <TableRow>
              <TableCell>{translate('dfy.pp.glucose.measured_at')}</TableCell>
              <TableCell align="right">{unit}</TableCell>
              <TableCell>{translate('dfy.pp.glucose.context')}</TableCell>
              <TableCell>{translate('dfy.pp.glucose.source')}</TableCell>
              <TableCell>{translate('dfy.pp.glucose.notes')}</TableCell>
              {canEdit && <TableCell>{translate('dfy.pp.glucose.actions')}</TableCell>}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((r) => {
              const flag = r.belowMeasurableRange ? 'LO' : r.aboveMeasurableRange ? 'HI' : null;
              const band = r.valueMgDl !== null ? bandOf(r.valueMgDl, target) : flag === 'LO' ? 'low' : 'high';
              const color = r.valueMgDl !== null ? colorOf(r.valueMgDl, mode, target) : undefined;
              return (
                <TableRow key={r.id} data-reading-id={r.id}>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(r.measuredAt, locale, timeZone)}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    <Box component="span" sx={{ color, fontWeight: 600 }} data-testid="reading-value-cell">
                      {flag ?? formatGlucose(r.valueMgDl, unit, intlLocale(locale), false)}
                    </Box>{' '}
                    <Typography component="span" variant="caption" sx={{ color }}>
                      ({translate(`dfy.pp.band_label.${band}`)})
                    </Typography>
                  </TableCell>
                  <TableCell>
                    <Chip size="small" label={translate(`dfy.pp.context.${r.context}`)} />
                  </TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    {translate(`dfy.pp.source.${r.source}`)}
                    {r.deviceId ? ` · ${r.deviceId}` : ''}
                  </TableCell>
                  <TableCell sx={{ maxWidth: 280, overflowWrap: 'anywhere' }}>{r.notes ?? ''}</TableCell>
                  {canEdit && (
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>
                      <IconButton
                        size="small"
                        aria-label={translate('dfy.pp.glucose.edit')}
                        onClick={() => setEditing(r)}
                      >
                        <EditIcon fontSize="small" />
                      </IconButton>
                      <IconButton
                        size="small"
                        aria-label={translate('dfy.pp.glucose.delete')}
                        onClick={() => setDeleting(r)}
                      >
                        <DeleteIcon fontSize="small" />
                      </IconButton>
                    </TableCell>
                  )}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
      {pages.isPending && <Typography role="status">{translate('dfy.pp.glucose.loading')}</Typography>}
      {!pages.isPending && rows.length === 0 && (
        <Typography role="status">{translate('dfy.pp.glucose.empty')}</Typography>
      )}
      <Box sx={{ mt: 1 }}>
        {pages.hasNextPage ? (
          <Button onClick={() => pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
            {translate('dfy.pp.glucose.load_more')}
          </Button>
        ) : (
          rows.length > 0 && (
            <Typography variant="caption" color="text.secondary">
              {translate('dfy.pp.glucose.no_more')}
            </Typography>
          )
        )}
      </Box>
      {adding && (
        <ReadingDialog
          open
          onClose={() => setAdding(false)}
          onSaved={refresh}
          patientId={patientId}
          patientName={patientName}
          timeZone={timeZone}
        />
      )}
      {editing && (
        <ReadingDialog
          open
          reading={editing}
          onClose={() => setEditing(null)}
          onSaved={refresh}
          patientId={patientId}
          patientName={patientName}
          timeZone={timeZone}
        />
      )}
      <Dialog open={deleting !== null} onClose={() => setDeleting(null)} aria-labelledby="delete-reading-title">
        <DialogTitle id="delete-reading-title">{translate('dfy.pp.glucose.delete_title')}</DialogTitle>
        <DialogContent>
          <DialogContentText>{translate('dfy.pp.glucose.delete_content')}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDeleting(null)}>{translate('dfy.common.cancel')}</Button>
          <Button color="error" variant="contained" onClick={() => deleting && remove(deleting)}>
            {translate('dfy.pp.glucose.delete')}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
