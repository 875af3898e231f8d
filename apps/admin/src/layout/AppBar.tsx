/** The top bar: title, clinic clock note, glucose unit, language, theme and the user menu. */
import LogoutAllIcon from '@mui/icons-material/PhonelinkErase';
import {
  ListItemIcon,
  ListItemText,
  MenuItem,
  ToggleButton,
  ToggleButtonGroup,
  Tooltip,
  Typography,
} from '@mui/material';
import { forwardRef, useState } from 'react';
import {
  Confirm,
  LoadingIndicator,
  LocalesMenuButton,
  Logout,
  AppBar as RaAppBar,
  TitlePortal,
  ToggleThemeButton,
  UserMenu,
  useAuthProvider,
  useLocaleState,
  useLogout,
  useNotify,
  useTranslate,
} from 'react-admin';
import type { DiabetifyAuthProvider } from '../auth/authProvider';
import { useGlucoseUnit } from '../glucose/useGlucoseUnit';
import { LOCALES } from '../i18n/i18nProvider';
import { clinicTimezone, zoneName } from '../locale/time';

const LogoutEverywhere = forwardRef<HTMLLIElement>(function LogoutEverywhere(props, ref) {
  const translate = useTranslate();
  const authProvider = useAuthProvider() as DiabetifyAuthProvider | undefined;
  const logout = useLogout();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  return (
    <>
      <MenuItem ref={ref} {...props} onClick={() => setOpen(true)}>
        <ListItemIcon>
          <LogoutAllIcon fontSize="small" />
        </ListItemIcon>
        <ListItemText>{translate('dfy.auth.logout_everywhere')}</ListItemText>
      </MenuItem>
      <Confirm
        isOpen={open}
        title="dfy.auth.logout_everywhere"
        content="dfy.auth.logout_everywhere_confirm"
        onClose={() => setOpen(false)}
        onConfirm={async () => {
          setOpen(false);
          try {
            const revoked = (await authProvider?.logoutEverywhere()) ?? 0;
            notify('dfy.auth.logout_everywhere_done', { messageArgs: { smart_count: revoked } });
          } finally {
            await logout({}, '/login', false);
          }
        }}
      />
    </>
  );
});

function UnitSwitch() {
  const translate = useTranslate();
  const [unit, setUnit] = useGlucoseUnit();
  return (
    <Tooltip title={translate('dfy.prefs.unit')}>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={unit}
        aria-label={translate('dfy.prefs.unit')}
        onChange={(_, v) => v && setUnit(v)}
        sx={{
          mx: 1,
          '& .MuiToggleButton-root': {
            color: 'inherit',
            borderColor: 'rgba(255,255,255,0.5)',
            py: 0.25,
            textTransform: 'none',
          },
          '& .Mui-selected': { bgcolor: 'rgba(255,255,255,0.25) !important', fontWeight: 700 },
        }}
      >
        <ToggleButton value="mg/dL">mg/dL</ToggleButton>
        <ToggleButton value="mmol/L">mmol/L</ToggleButton>
      </ToggleButtonGroup>
    </Tooltip>
  );
}

function ClinicClock() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const zone = clinicTimezone();
  return (
    <Typography variant="caption" sx={{ mx: 1, display: { xs: 'none', md: 'block' }, opacity: 0.85 }}>
      {translate('dfy.prefs.timezone_note', {
        zone: `${zone.split('/').pop()?.replace(/_/g, ' ')}, ${zoneName(new Date(), locale, zone)}`,
      })}
    </Typography>
  );
}

export function AppBar() {
  return (
    <RaAppBar
      toolbar={
        <>
          <ClinicClock />
          <UnitSwitch />
          <LocalesMenuButton languages={LOCALES} />
          <ToggleThemeButton />
          <LoadingIndicator />
        </>
      }
      userMenu={
        <UserMenu>
          <LogoutEverywhere />
          <Logout />
        </UserMenu>
      }
    >
      <TitlePortal />
    </RaAppBar>
  );
}
