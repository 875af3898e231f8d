/** Edit a staff member's name, e-mail and roles; block/unblock from the toolbar (with confirmation). */
import { Box, Stack } from '@mui/material';
import { Edit, SaveButton, Toolbar, useNotify, useRecordContext, useTranslate } from 'react-admin';
import { problemText } from '../../account/problemText';
import type { StaffMember } from './data';
import { MfaField, StaffStatusField } from './fields';
import { StaffBlockButton } from './StaffBlockButton';
import { StaffForm } from './StaffForm';

function EditToolbar() {
  return (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
      <SaveButton />
      <StaffBlockButton />
    </Toolbar>
  );
}

function Title() {
  const record = useRecordContext<StaffMember>();
  const translate = useTranslate();
  return <span>{record ? translate('dfy.staff.edit_title', { name: record.name }) : ''}</span>;
}

function Header() {
  const record = useRecordContext<StaffMember>();
  if (!record) return null;
  return (
    <Stack direction="row" spacing={1} sx={{ px: 2, pt: 2 }} alignItems="center">
      <StaffStatusField />
      <MfaField />
    </Stack>
  );
}

export function StaffEdit() {
  const notify = useNotify();
  return (
    <Edit
      title={<Title />}
      mutationMode="pessimistic"
      mutationOptions={{ onError: (err: unknown) => notify(problemText(err), { type: 'error' }) }}
    >
      <Box>
        <Header />
        <StaffForm mode="edit" toolbar={<EditToolbar />} />
      </Box>
    </Edit>
  );
}
