/**
 * Patients: search (name, DNI, e-mail), blocked filter, sorting on the API's sort fields, pagination
 * with total (one request per page), CSV export. List state stays in memory (src/store.ts).
 */
import { Box, Typography } from '@mui/material';
import {
  CreateButton,
  Datagrid,
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

function useFilters() {
  const translate = useTranslate();
  return [
    <SearchInput
      key="q"
      source="q"
      alwaysOn
      placeholder={translate('dfy.patients.search')}
      aria-label={translate('dfy.patients.search')}
      sx={{ minWidth: { xs: 200, md: 300 } }}
    />,
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
}

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
  const filters = useFilters();
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
      // Narrow screens: the table scrolls inside its card instead of widening the page.
      sx={{ minWidth: 0, '& .RaList-main': { minWidth: 0 }, '& .RaList-content': { overflowX: 'auto' } }}
      disableSyncWithLocation
    >
      <Datagrid
        rowClick="show"
        bulkActionButtons={false}
        empty={<EmptyFiltered />}
        // Tablet widths: the table scrolls sideways instead of squeezing the columns.
        sx={{
          '& .RaDatagrid-rowCell': { whiteSpace: 'nowrap' },
          // Below 1440 px the less-used columns give way to the actions.
          '& .column-diabetesType, & .column-createdAt': { display: { xs: 'none', xl: 'table-cell' } },
        }}
      >
        <TextField source="surname" />
        <TextField source="name" />
        <TextField source="dni" />
        <TextField source="email" />
        <DiabetesTypeField source="diabetesType" label="resources.patients.fields.diabetesType" sortable={false} />
        <StatusField source="blocked" label="dfy.patients.status" sortable={false} />
        <ClinicDateTimeField source="createdAt" label="resources.patients.fields.createdAt" />
        <BlockButton compact />
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
