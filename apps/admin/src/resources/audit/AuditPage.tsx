/**
 * The audit log (admins): filters, newest-first rows with keyset "load more", export of the
 * filtered trail as CSV/JSON, and the hash-chain verification with its verdict.
 */
import { Alert, Box, Button, Card, CardContent, CircularProgress, Stack, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { Title, usePermissions, useTranslate } from 'react-admin';
import { problemText } from '../../account/problemText';
import { canAccess } from '../../auth/permissions';
import { AuditFiltersForm } from './AuditFiltersForm';
import { AuditTable } from './AuditTable';
import { AuditToolbar } from './AuditToolbar';
import { type AuditFilters, NO_FILTERS, toApiFilters } from './query';
import { useAuditEvents } from './useAuditEvents';

function AuditLog() {
  const translate = useTranslate();
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS);
  const filters = useMemo(() => toApiFilters(applied), [applied]);
  const { rows, nextCursor, loading, error, loadMore } = useAuditEvents(filters);
  return (
    <Card sx={{ mt: 2 }}>
      <CardContent>
        <Typography variant="h5" component="h1" gutterBottom>
          {translate('dfy.audit.title')}
        </Typography>
        <AuditToolbar filters={filters} />
        <AuditFiltersForm initial={applied} onApply={setApplied} />
        {error ? (
          <Alert severity="error">{translate(problemText(error))}</Alert>
        ) : rows.length === 0 && !loading ? (
          <Typography role="status" sx={{ p: 2 }}>
            {translate('dfy.audit.empty')}
          </Typography>
        ) : (
          <AuditTable rows={rows} />
        )}
        <Stack direction="row" spacing={2} alignItems="center" sx={{ mt: 2 }}>
          {loading && <CircularProgress size={24} aria-label={translate('dfy.common.loading')} />}
          {rows.length > 0 && (
            <Typography variant="body2" role="status">
              {translate('dfy.audit.shown', { smart_count: rows.length })}
            </Typography>
          )}
          {nextCursor ? (
            <Button variant="outlined" onClick={loadMore} disabled={loading}>
              {translate('dfy.audit.load_more')}
            </Button>
          ) : (
            rows.length > 0 &&
            !loading && (
              <Typography variant="body2" color="text.secondary">
                {translate('dfy.audit.all_loaded')}
              </Typography>
            )
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

export function AuditPage() {
  const { permissions, isPending } = usePermissions<string[]>();
  const translate = useTranslate();
  if (isPending) return <CircularProgress sx={{ m: 4 }} aria-label={translate('dfy.common.loading')} />;
  // The API answers 403 to anyone but admins; do not show a screen that can only fail.
  if (!canAccess(permissions ?? [], 'audit')) {
    return (
      <Box sx={{ m: 4 }}>
        <Alert severity="warning">{translate('dfy.errors.forbidden')}</Alert>
      </Box>
    );
  }
  return (
    <>
      <Title title="dfy.audit.title" />
      <AuditLog />
    </>
  );
}
