import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AdminContext, type AuthProvider, HttpError, memoryStore } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { createI18nProvider } from '../i18n/i18nProvider';
import { MfaRequiredError } from './authProvider';
import { LoginPage } from './LoginPage';

function renderLogin(login: AuthProvider['login']) {
  const authProvider: AuthProvider = {
    login,
    logout: async () => undefined,
    checkAuth: async () => Promise.reject(new Error('signed out')),
    checkError: async () => undefined,
    getPermissions: async () => [],
  };
  render(
    <AdminContext authProvider={authProvider} i18nProvider={createI18nProvider('es')} store={memoryStore()}>
      <LoginPage />
    </AdminContext>,
  );
  return userEvent.setup();
}

describe('LoginPage', () => {
  it('asks for the TOTP code after the password, then signs in with it', async () => {
    const login = vi
      .fn()
      .mockRejectedValueOnce(new MfaRequiredError('t'.repeat(30), 300))
      .mockResolvedValueOnce({ redirectTo: false });
    const user = renderLogin(login);
    await user.type(await screen.findByLabelText(/Usuario o correo/), 'dra.luna');
    await user.type(screen.getByLabelText(/Contraseña/), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Ingresar' }));
    expect(await screen.findByRole('heading', { name: 'Verificación en dos pasos' })).toBeTruthy();
    expect(login.mock.calls[0]?.[0]).toEqual({ identifier: 'dra.luna', password: 'secret-password' });
    await user.type(screen.getByLabelText(/Código/), '123456');
    await user.click(screen.getByRole('button', { name: 'Verificar' }));
    await waitFor(() => expect(login).toHaveBeenCalledTimes(2));
    expect(login.mock.calls[1]?.[0]).toEqual({ mfaToken: 't'.repeat(30), code: '123456' });
  });

  it('offers the recovery code instead of the app code', async () => {
    const login = vi
      .fn()
      .mockRejectedValueOnce(new MfaRequiredError('t'.repeat(30), 300))
      .mockResolvedValueOnce({ redirectTo: false });
    const user = renderLogin(login);
    await user.type(await screen.findByLabelText(/Usuario o correo/), 'dra.luna');
    await user.type(screen.getByLabelText(/Contraseña/), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Ingresar' }));
    await user.click(await screen.findByRole('button', { name: 'Usar un código de recuperación' }));
    await user.type(screen.getByLabelText(/Código de recuperación/), 'abcd-efgh');
    await user.click(screen.getByRole('button', { name: 'Verificar' }));
    await waitFor(() => expect(login).toHaveBeenCalledTimes(2));
    expect(login.mock.calls[1]?.[0]).toEqual({ mfaToken: 't'.repeat(30), recoveryCode: 'abcd-efgh' });
  });

  it('shows why a sign-in was refused, in Spanish (patient, locked with the wait, wrong password)', async () => {
    const login = vi
      .fn()
      .mockRejectedValueOnce(new HttpError('dfy.auth.patient_refused', 403, { code: 'patient_refused' }))
      .mockRejectedValueOnce(new HttpError('dfy.errors.login_locked', 429, { code: 'login_locked', retryAfter: 600 }))
      .mockRejectedValueOnce(new HttpError('dfy.errors.invalid_credentials', 401, { code: 'invalid_credentials' }));
    const user = renderLogin(login);
    await user.type(await screen.findByLabelText(/Usuario o correo/), '30111222');
    await user.type(screen.getByLabelText(/Contraseña/), 'x');
    await user.click(screen.getByRole('button', { name: 'Ingresar' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/sitio del personal de la clínica/);
    await user.type(screen.getByLabelText(/Contraseña/), 'x');
    await user.click(screen.getByRole('button', { name: 'Ingresar' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/Probá de nuevo en 10 min/));
    await user.click(screen.getByRole('button', { name: 'Ingresar' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toMatch(/usuario o la contraseña no son correctos/),
    );
  });
});
