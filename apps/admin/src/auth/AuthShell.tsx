/** The frame of the signed-out pages: a centred card, the product name, language and theme. */
import { Box, Card, CardContent, Stack, Typography } from '@mui/material';
import { type ReactNode, useEffect } from 'react';
import { LocalesMenuButton, ToggleThemeButton, useLocaleState, useTranslate } from 'react-admin';
import { LOCALES } from '../i18n/i18nProvider';

export function AuthShell({ title, children }: { title: string; children: ReactNode }) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <Box
      component="main"
      sx={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        bgcolor: 'background.default',
        p: 2,
      }}
    >
      <Card sx={{ width: '100%', maxWidth: 420 }} elevation={3}>
        <CardContent>
          <Stack direction="row" alignItems="center" justifyContent="space-between" sx={{ mb: 1 }}>
            <Typography variant="overline" color="primary">
              Diabetify
            </Typography>
            <Stack direction="row" alignItems="center">
              <LocalesMenuButton languages={LOCALES} />
              <ToggleThemeButton />
            </Stack>
          </Stack>
          <Typography variant="h5" component="h1" gutterBottom>
            {translate(title)}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            {translate('dfy.app.staff_site')}
          </Typography>
          {children}
        </CardContent>
      </Card>
    </Box>
  );
}

/** The translated text of an error thrown by the providers (an HttpError or a plain key). */
export function errorText(
  error: unknown,
  translate: (key: string, options?: Record<string, unknown>) => string,
): string {
  const e = error as { message?: string; status?: number; body?: { code?: string; retryAfter?: number } };
  if (e?.body?.code === 'login_locked' && e.body.retryAfter) {
    return translate('dfy.auth.locked_for', { minutes: Math.max(1, Math.ceil(e.body.retryAfter / 60)) });
  }
  const key = e?.message ?? '';
  if (key.startsWith('dfy.') || key.startsWith('ra.')) return translate(key, { _: translate('dfy.errors.server') });
  // fetch() itself failed: no answer from the server at all.
  if (error instanceof TypeError) return translate('dfy.errors.network');
  return translate('dfy.errors.server');
}
