/** Staff accounts: search, role and status filters, sorting, pagination with total (one request per page). */
import { Box, Typography, useMediaQuery } from '@mui/material';
import {
  CreateButton,
  Datagrid,
  EmailField,
  FilterButton,
  List,
  SearchInput,
  SelectInput,
  TextField,
  TopToolbar,
  useTranslate,
} from 'react-admin';
import { STAFF_ROLE_NAMES } from './data';
import { MfaField, RolesField, StaffStatusField } from './fields';
import { StaffBlockButton } from './StaffBlockButton';

function useFilters() {
  const translate = useTranslate();
  return [
    <SearchInput
      key="q"
      source="q"
      alwaysOn
      placeholder={translate('dfy.staff.search')}
      aria-label={translate('dfy.staff.search')}
      sx={{ minWidth: { xs: 200, md: 300 } }}
    />,
    <SelectInput
      key="role"
      source="role"
      label="dfy.staff.role"
      choices={STAFF_ROLE_NAMES.map((r) => ({ id: r, name: `dfy.staff.roles.${r}` }))}
    />,
    <SelectInput
      key="blocked"
      source="blocked"
      label="dfy.staff.status"
      choices={[
        { id: 'false', name: 'dfy.staff.status_active' },
        { id: 'true', name: 'dfy.staff.status_blocked' },
      ]}
    />,
  ];
}

function Actions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton />
    </TopToolbar>
  );
}

function Empty() {
  const translate = useTranslate();
  return (
    <Box sx={{ textAlign: 'center', m: 4 }} role="status">
      <Typography variant="h6" gutterBottom>
        {translate('dfy.staff.empty')}
      </Typography>
      <CreateButton label="dfy.staff.create_first" variant="contained" />
    </Box>
  );
}

function EmptyFiltered() {
  const translate = useTranslate();
  return (
    <Typography sx={{ p: 2 }} role="status">
      {translate('dfy.staff.empty_filtered')}
    </Typography>
  );
}

export function StaffList() {
  const filters = useFilters();
  // On a 1280 px laptop the e-mail column would push the block button out of view; the search
  // still matches e-mails, and the edit page shows them.
  const wide = useMediaQuery('(min-width: 1440px)');
  return (
    <List
      filters={filters}
      actions={<Actions />}
      sort={{ field: 'username', order: 'ASC' }}
      perPage={25}
      empty={<Empty />}
      // Searches stay in memory, like every list here (src/store.ts).
      storeKey={false}
      disableSyncWithLocation
      // A flex child shrinks below its content only with min-width 0: the table scrolls, not the page.
      sx={{ minWidth: 0, '& .RaList-main': { minWidth: 0 }, '& .RaList-content': { overflowX: 'auto' } }}
    >
      <Datagrid
        rowClick="edit"
        bulkActionButtons={false}
        empty={<EmptyFiltered />}
        sx={{ overflowX: 'auto', '& .RaDatagrid-rowCell': { whiteSpace: 'nowrap' } }}
      >
        <TextField source="username" />
        <TextField source="name" />
        {wide && <EmailField source="email" onClick={(e) => e.stopPropagation()} />}
        <RolesField label="resources.staff.fields.roles" sortable={false} />
        <StaffStatusField label="dfy.staff.status" sortable={false} />
        <MfaField label="resources.staff.fields.mfaEnabled" sortable={false} />
        <StaffBlockButton compact label="" />
      </Datagrid>
    </List>
  );
}
