/** The audit rows (newest first): when, who, action, outcome, patient, resource, origin. */
import {
  Chip,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from '@mui/material';
import { useLocaleState, useTranslate } from 'react-admin';
import { formatDateTime } from '../../locale/time';
import type { AuditEvent } from './query';

const OUTCOME_COLOR = { success: 'success', denied: 'warning', failure: 'error', error: 'error' } as const;

function Who({ event }: { event: AuditEvent }) {
  const translate = useTranslate();
  const role = translate(`dfy.audit.roles.${event.actor.role}`, { _: event.actor.role });
  return <span>{event.actor.id === null ? role : `${role} #${event.actor.id}`}</span>;
}

/** Details as compact `key: value` text (the server already keeps secrets out of them). */
function detailsText(details: AuditEvent['details']): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

export function AuditTable({ rows }: { rows: AuditEvent[] }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  return (
    <TableContainer sx={{ overflowX: 'auto' }}>
      <Table size="small" aria-label={translate('dfy.audit.title')}>
        <TableHead>
          <TableRow>
            <TableCell>{translate('dfy.audit.when')}</TableCell>
            <TableCell>{translate('dfy.audit.who')}</TableCell>
            <TableCell>{translate('dfy.audit.action')}</TableCell>
            <TableCell>{translate('dfy.audit.outcome')}</TableCell>
            <TableCell>{translate('dfy.audit.patient')}</TableCell>
            <TableCell>{translate('dfy.audit.resource')}</TableCell>
            <TableCell>{translate('dfy.audit.ip')}</TableCell>
            <TableCell>{translate('dfy.audit.details')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((e) => {
            const details = detailsText(e.details);
            return (
              <TableRow key={e.id} hover data-action={e.action}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt, locale)}</TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  <Who event={e} />
                </TableCell>
                <TableCell>
                  <Typography component="code" variant="body2" sx={{ fontFamily: 'monospace' }}>
                    {e.action}
                  </Typography>
                </TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    variant="outlined"
                    color={OUTCOME_COLOR[e.outcome]}
                    label={translate(`dfy.audit.outcomes.${e.outcome}`)}
                  />
                </TableCell>
                <TableCell>{e.patientId ?? '—'}</TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  {e.resourceId ? `${e.resourceType} ${e.resourceId}` : e.resourceType}
                </TableCell>
                <TableCell>{e.ip ?? '—'}</TableCell>
                <TableCell sx={{ maxWidth: 320 }}>
                  {details ? (
                    <Tooltip title={details}>
                      <Typography variant="body2" noWrap tabIndex={0} sx={{ maxWidth: 320 }}>
                        {details}
                      </Typography>
                    </Tooltip>
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
