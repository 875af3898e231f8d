/**
 * The staff form: name, e-mail and roles (create adds the username and the access choice). Server
 * validation errors land on the fields (react-admin reads `body.errors` in pessimistic mode).
 */
import { Alert } from '@mui/material';
import type { ReactElement, ReactNode } from 'react';
import {
  CheckboxGroupInput,
  email,
  maxLength,
  minLength,
  regex,
  required,
  SimpleForm,
  TextInput,
  useGetIdentity,
  useRecordContext,
  useTranslate,
} from 'react-admin';
import { STAFF_ROLE_NAMES, type StaffMember } from './data';

const USERNAME = /^[a-z0-9._-]{3,50}$/;

export function StaffForm({
  mode,
  toolbar,
  children,
}: {
  mode: 'create' | 'edit';
  toolbar?: ReactElement | false;
  children?: ReactNode;
}) {
  const translate = useTranslate();
  const record = useRecordContext<StaffMember>();
  const { identity } = useGetIdentity();
  const self = mode === 'edit' && !!record && !!identity && String(identity.id) === String(record.id);
  // One's own admin role cannot be removed (409 self_lockout): the box is shown but locked.
  const choices = STAFF_ROLE_NAMES.map((r) => ({
    id: r,
    name: translate(`dfy.staff.roles.${r}`),
    disabled: self && r === 'admin',
  }));
  return (
    <SimpleForm toolbar={toolbar} sx={{ maxWidth: 640 }}>
      {self && (
        <Alert severity="info" sx={{ mb: 2 }}>
          {translate('dfy.staff.self_note')}
        </Alert>
      )}
      {mode === 'create' && (
        <TextInput
          source="username"
          validate={[required(), regex(USERNAME, 'dfy.validation.format')]}
          helperText="dfy.staff.username_help"
          parse={(v: string) => v.toLowerCase()}
          autoComplete="off"
          fullWidth
        />
      )}
      <TextInput source="name" validate={[required(), minLength(1), maxLength(100)]} fullWidth />
      <TextInput source="email" type="email" validate={[required(), email('dfy.validation.email')]} fullWidth />
      <CheckboxGroupInput
        source="roles"
        choices={choices}
        translateChoice={false}
        validate={required()}
        helperText={mode === 'edit' ? 'dfy.staff.roles_help' : false}
      />
      {children}
    </SimpleForm>
  );
}
