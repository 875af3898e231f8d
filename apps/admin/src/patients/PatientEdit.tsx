/** Edit a patient's profile and preferences; block/unblock from the toolbar (with confirmation). */
import { Box, Chip, Stack } from '@mui/material';
import { Edit, SaveButton, Toolbar, useRecordContext, useTranslate } from 'react-admin';
import type { Patient } from '../data/patients';
import { BlockButton } from './BlockButton';
import { StatusField } from './fields';
import { PatientForm } from './PatientForm';

function EditToolbar() {
  return (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
      <SaveButton />
      <BlockButton size="medium" />
    </Toolbar>
  );
}

function Title() {
  const record = useRecordContext<Patient>();
  const translate = useTranslate();
  return (
    <span>{record ? translate('dfy.patients.edit_title', { name: `${record.name} ${record.surname}` }) : ''}</span>
  );
}

function Header() {
  const record = useRecordContext<Patient>();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <Stack direction="row" spacing={1} sx={{ px: 2, pt: 2 }} alignItems="center">
      <StatusField />
      <Chip
        size="small"
        variant="outlined"
        label={translate('dfy.patients.streak', { smart_count: record.streakDays })}
      />
    </Stack>
  );
}

export function PatientEdit() {
  return (
    <Edit title={<Title />} mutationMode="pessimistic">
      <Box>
        <Header />
        <PatientForm toolbar={<EditToolbar />} />
      </Box>
    </Edit>
  );
}
