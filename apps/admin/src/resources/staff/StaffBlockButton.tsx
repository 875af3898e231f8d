/**
 * Block / unblock a staff account after a confirmation. Hidden on one's own row: the API refuses
 * self-blocking (409 self_lockout), so the button could only fail.
 */
import BlockIcon from '@mui/icons-material/Block';
import UnblockIcon from '@mui/icons-material/LockOpen';
import { Button, IconButton, Tooltip } from '@mui/material';
import { type MouseEvent, useState } from 'react';
import {
  Confirm,
  useDataProvider,
  useGetIdentity,
  useNotify,
  useRecordContext,
  useRefresh,
  useTranslate,
} from 'react-admin';
import { problemText } from '../../account/problemText';
import type { DiabetifyDataProvider } from '../../dataProvider';
import type { StaffMember } from './data';

export function StaffBlockButton({ compact = false }: { compact?: boolean; label?: string }) {
  const record = useRecordContext<StaffMember>();
  const { identity } = useGetIdentity();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const dataProvider = useDataProvider<DiabetifyDataProvider>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!record || (identity && String(identity.id) === String(record.id))) return null;
  const blocking = !record.blocked;
  const label = translate(blocking ? 'dfy.staff.block' : 'dfy.staff.unblock');
  const openDialog = (e: MouseEvent) => {
    e.stopPropagation(); // inside a clickable row: do not open the record
    setOpen(true);
  };

  async function confirm() {
    if (!record) return;
    setBusy(true);
    try {
      await dataProvider.block('staff', { id: record.id, blocked: blocking });
      notify(blocking ? 'dfy.staff.blocked_done' : 'dfy.staff.unblocked_done', { type: 'success' });
      refresh();
    } catch (err) {
      notify(problemText(err), { type: 'error' });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  }

  const icon = blocking ? <BlockIcon fontSize="small" /> : <UnblockIcon fontSize="small" />;
  return (
    <>
      {compact ? (
        <Tooltip title={label}>
          <IconButton
            size="small"
            color={blocking ? 'error' : 'primary'}
            aria-label={`${label}: ${record.username}`}
            onClick={openDialog}
          >
            {icon}
          </IconButton>
        </Tooltip>
      ) : (
        <Button color={blocking ? 'error' : 'primary'} startIcon={icon} onClick={openDialog}>
          {label}
        </Button>
      )}
      <Confirm
        isOpen={open}
        loading={busy}
        title={blocking ? 'dfy.staff.block_title' : 'dfy.staff.unblock_title'}
        titleTranslateOptions={{ name: record.name }}
        content={blocking ? 'dfy.staff.block_content' : 'dfy.staff.unblock_content'}
        confirm={blocking ? 'dfy.staff.block' : 'dfy.staff.unblock'}
        confirmColor={blocking ? 'warning' : 'primary'}
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
