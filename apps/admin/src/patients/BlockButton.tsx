/** Block / unblock with a confirmation dialog (assistants and admins: the API's FRONT_DESK policy). */
import BlockIcon from '@mui/icons-material/Block';
import UnblockIcon from '@mui/icons-material/LockOpen';
import { Button, IconButton, Tooltip } from '@mui/material';
import { type MouseEvent, useState } from 'react';
import {
  Confirm,
  useDataProvider,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
  useTranslate,
} from 'react-admin';
import { canAccess } from '../auth/permissions';
import type { Patient } from '../data/patients';
import type { DiabetifyDataProvider } from '../dataProvider';

/** `compact`: an icon with a tooltip and an accessible name, for table rows. */
export function BlockButton({ size = 'small', compact = false }: { size?: 'small' | 'medium'; compact?: boolean }) {
  const record = useRecordContext<Patient>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const dataProvider = useDataProvider<DiabetifyDataProvider>();
  const { permissions } = usePermissions<string[]>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!record || !canAccess(permissions ?? [], 'patients', 'block')) return null;
  const blocking = !record.blocked;
  const name = `${record.name} ${record.surname}`;
  const label = translate(blocking ? 'dfy.patients.block' : 'dfy.patients.unblock');
  const open_ = (e: MouseEvent) => {
    // Inside a clickable row: do not open the record.
    e.stopPropagation();
    setOpen(true);
  };

  async function confirm() {
    if (!record) return;
    setBusy(true);
    try {
      await dataProvider.block('patients', { id: record.id, blocked: blocking });
      notify(blocking ? 'dfy.patients.blocked_done' : 'dfy.patients.unblocked_done', { type: 'success' });
      refresh();
    } catch (err) {
      notify((err as Error).message || 'dfy.errors.server', { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  }

  return (
    <>
      {compact ? (
        <Tooltip title={label}>
          <IconButton
            size="small"
            color={blocking ? 'error' : 'primary'}
            aria-label={`${label}: ${name}`}
            onClick={open_}
          >
            {blocking ? <BlockIcon fontSize="small" /> : <UnblockIcon fontSize="small" />}
          </IconButton>
        </Tooltip>
      ) : (
        <Button
          size={size}
          color={blocking ? 'error' : 'primary'}
          startIcon={blocking ? <BlockIcon /> : <UnblockIcon />}
          onClick={open_}
        >
          {label}
        </Button>
      )}
      <Confirm
        isOpen={open}
        loading={busy}
        title={blocking ? 'dfy.patients.block_title' : 'dfy.patients.unblock_title'}
        titleTranslateOptions={{ name }}
        content={blocking ? 'dfy.patients.block_content' : 'dfy.patients.unblock_content'}
        confirm={blocking ? 'dfy.patients.block' : 'dfy.patients.unblock'}
        confirmColor={blocking ? 'warning' : 'primary'}
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
