/**
 * Patients: search (name, DNI, e-mail), blocked filter, sorting on the API's sort fields, pagination
 * with total (one request per page), CSV export. List state stays in memory (src/store.ts).
 */
import { Box, Typography } from '@mui/material';
import {
  CreateButton,
  Datagrid,
  EditButton,
  ExportButton,
  FilterButton,
  List,
  SearchInput,
  SelectInput,
  TextField,
  TopToolbar,
  useLocaleState,
  useTranslate,
} from 'react-admin';
import { BlockButton } from './BlockButton';
import { makePatientsExporter } from './exporter';
import { ClinicDateTimeField, DiabetesTypeField, StatusField } from './fields';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="dfy.patients.search" sx={{ minWidth: 280 }} />,
  <SelectInput
    key="blocked"
    source="blocked"
    label="dfy.patients.status"
    choices={[
      { id: 'false', name: 'dfy.patients.filter_active' },
      { id: 'true', name: 'dfy.patients.filter_blocked' },
    ]}
  />,
];

function Actions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton />
      <ExportButton maxResults={1000} />
    </TopToolbar>
  );
}

function Empty() {
  const translate = useTranslate();
  return (
    <Box sx={{ textAlign: 'center', m: 4 }} role="status">
      <Typography variant="h6" gutterBottom>
        {translate('dfy.patients.empty')}
      </Typography>
      <CreateButton label="dfy.patients.create_first" variant="contained" />
    </Box>
  );
}

export function PatientList() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  return (
    <List
      filters={filters}
      actions={<Actions />}
      sort={{ field: 'surname', order: 'ASC' }}
      perPage={25}
      exporter={makePatientsExporter(translate, locale)}
      empty={<Empty />}
      // Filters (a searched name or DNI) must not be kept in the browser's storage.
      storeKey={false}
      disableSyncWithLocation
    >
      <Datagrid rowClick="show" bulkActionButtons={false} empty={<EmptyFiltered />}>
        <TextField source="surname" />
        <TextField source="name" />
        <TextField source="dni" />
        <TextField source="email" />
        <DiabetesTypeField label="resources.patients.fields.diabetesType" sortable={false} />
        <StatusField label="dfy.patients.status" sortable={false} />
        <ClinicDateTimeField source="createdAt" label="resources.patients.fields.createdAt" />
        <Box component="span" sx={{ display: 'flex', gap: 1, justifyContent: 'flex-end' }}>
          <EditButton />
          <BlockButton />
        </Box>
      </Datagrid>
    </List>
  );
}

function EmptyFiltered() {
  const translate = useTranslate();
  return (
    <Typography sx={{ p: 2 }} role="status">
      {translate('dfy.patients.empty_filtered')}
    </Typography>
  );
}
