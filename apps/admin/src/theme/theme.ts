/** Light and dark themes (react-admin's toggle remembers the choice in the store). */
import { deepmerge } from '@mui/utils';
import { defaultTheme, type RaThemeOptions } from 'react-admin';

const shared: RaThemeOptions = {
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  shape: { borderRadius: 8 },
  sidebar: { width: 220, closedWidth: 56 },
  components: {
    // A visible focus ring for keyboard users on every clickable surface.
    MuiButtonBase: { styleOverrides: { root: { '&.Mui-focusVisible': { outline: '2px solid', outlineOffset: 2 } } } },
  },
};

export const lightTheme: RaThemeOptions = deepmerge(defaultTheme, {
  ...shared,
  palette: {
    mode: 'light',
    primary: { main: '#00695c' },
    secondary: { main: '#1565c0' },
    background: { default: '#f5f7f8' },
  },
});

export const darkTheme: RaThemeOptions = deepmerge(defaultTheme, {
  ...shared,
  palette: {
    mode: 'dark',
    primary: { main: '#4db6ac' },
    secondary: { main: '#90caf9' },
    background: { default: '#121417', paper: '#1c1f24' },
  },
});
