/**
 * The back-office: react-admin over the typed /v1 client, Spanish by default, light/dark, a
 * role-aware menu. Screens are registered in `screens.tsx` (see the README: "How to add a screen").
 */
import { CacheProvider, type EmotionCache } from '@emotion/react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { authProvider } from './auth/authProvider';
import { ForgotPasswordPage } from './auth/ForgotPasswordPage';
import { LoginPage } from './auth/LoginPage';
import { ResetPasswordPage } from './auth/ResetPasswordPage';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n/i18nProvider';
import { makeLayout } from './layout/Layout';
import { PAGES, RESOURCES } from './screens';
import { createStore } from './store';
import { darkTheme, lightTheme } from './theme/theme';

const store = createStore();
const Layout = makeLayout([...RESOURCES.map((r) => `/${r.name}`), ...PAGES.map((p) => p.path)]);

export function App({ emotionCache }: { emotionCache: EmotionCache }) {
  return (
    <CacheProvider value={emotionCache}>
      <BrowserRouter basename="/admin">
        <Admin
          title="Diabetify"
          dataProvider={dataProvider}
          authProvider={authProvider}
          i18nProvider={i18nProvider}
          store={store}
          theme={lightTheme}
          lightTheme={lightTheme}
          darkTheme={darkTheme}
          defaultTheme="light"
          layout={Layout}
          loginPage={LoginPage}
          requireAuth
          disableTelemetry
        >
          {RESOURCES.map((r) => (
            <Resource key={r.name} {...r} />
          ))}
          <CustomRoutes noLayout>
            <Route path="/forgot-password" element={<ForgotPasswordPage />} />
            <Route path="/reset-password" element={<ResetPasswordPage mode="reset" />} />
            <Route path="/set-password" element={<ResetPasswordPage mode="set" />} />
          </CustomRoutes>
          <CustomRoutes>
            {PAGES.map((p) => (
              <Route key={p.path} path={`${p.path}/*`} element={p.element} />
            ))}
          </CustomRoutes>
        </Admin>
      </BrowserRouter>
    </CacheProvider>
  );
}
