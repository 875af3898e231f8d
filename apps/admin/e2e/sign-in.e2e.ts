/**
 * Signing in to the back-office in a real browser against the real server: with and without MFA,
 * a wrong password, a patient refused, the access token expiring and silently refreshed by the
 * HttpOnly cookie, sign-out, and forgot → e-mailed link → reset → sign in with the new password.
 */

import { generate } from 'otplib';
import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TTL_SECONDS } from './global-setup';
import {
  api,
  ctx,
  es,
  expectNoSeriousA11y,
  expectSignedIn,
  fillField,
  launchBrowser,
  newPage,
  passwordLinkIn,
  settle,
  shot,
  signIn,
  submitSignIn,
  waitForMail,
} from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Nothing that looks like a token in Web Storage (the access token lives in memory only). */
async function webStorage(page: import('playwright-core').Page): Promise<string> {
  return page.evaluate(() => JSON.stringify({ ...window.localStorage, ...window.sessionStorage }));
}

describe('sign-in', () => {
  it('a clinician signs in without MFA; no token reaches Web Storage; the CSP holds', async () => {
    const { page, context, cspViolations } = await newPage(browser);
    await page.goto('/admin/');
    await page.waitForURL(/\/admin\/login/);
    await page.getByRole('heading', { name: es.dfy.auth.sign_in_title }).waitFor();
    await expectNoSeriousA11y(page);
    await shot(page, 'sign-in');
    await signIn(page, 'clinician');
    expect(await webStorage(page)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.|accessToken|refreshToken/);
    const cookies = await context.cookies();
    const refresh = cookies.find((c) => c.name === '__Host-diabetify_rt');
    expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('a wrong password is refused with a clear message and no session', async () => {
    const { page, context } = await newPage(browser);
    await submitSignIn(page, { username: ctx().staff.clinician[1] as string, password: 'not-the-password-123' });
    await page.getByRole('alert').filter({ hasText: es.dfy.errors.invalid_credentials }).waitFor();
    expect(page.url()).toContain('/admin/login');
    expect((await context.cookies()).some((c) => c.name === '__Host-diabetify_rt')).toBe(false);
    await context.close();
  });

  it("a patient's credentials are refused here with a message pointing to the app", async () => {
    const admin = await api('admin');
    const list = await admin.get<{ data?: { dni: string }[]; items?: { dni: string }[] }>('/v1/patients?perPage=1');
    const dni = (list.data ?? list.items ?? [])[0]?.dni;
    expect(dni).toBeTruthy();
    const { page, context } = await newPage(browser);
    await submitSignIn(page, { patient: dni as string });
    await page.getByRole('alert').filter({ hasText: es.dfy.auth.patient_refused }).waitFor();
    expect(page.url()).toContain('/admin/login');
    await context.close();
  });

  it('a staff member with TOTP enrolled signs in with the code from the MFA step', async () => {
    const username = ctx().staff.assistant[2] as string; // nobody else signs in as this one: MFA stays on it
    const me = await api({ username });
    const { secret } = await me.post<{ secret: string }>('/v1/auth/mfa/totp/setup', { password: ctx().password });
    const now = () => Math.floor(Date.now() / 1000);
    await me.post('/v1/auth/mfa/totp/enable', { code: await generate({ secret, epoch: now() }) });

    const { page, context } = await newPage(browser);
    await submitSignIn(page, { username });
    await page.getByRole('heading', { name: es.dfy.auth.mfa_title }).waitFor();
    await shot(page, 'sign-in-mfa');
    // The enrolment spent this time step (codes are single-use): the next step is within tolerance.
    await fillField(page.getByLabel(es.dfy.auth.code), await generate({ secret, epoch: now() + 30 }));
    await page.getByRole('button', { name: es.dfy.auth.verify }).click();
    await expectSignedIn(page);
    await context.close();
  });

  it('after the access token expires, navigating keeps the user signed in through a cookie refresh', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, { username: ctx().staff.clinician[2] as string });
    const refreshes: Request[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/v1/auth/refresh')) refreshes.push(r);
    });
    // Past the 20 s lifetime (the test server's ACCESS_TOKEN_TTL_SECONDS) whatever the app does early.
    await page.waitForTimeout((ACCESS_TOKEN_TTL_SECONDS + 3) * 1000);
    await page
      .getByRole('menuitem', { name: es.dfy.menu.patients })
      .or(page.getByRole('link', { name: es.dfy.menu.patients }))
      .first()
      .click();
    await page.waitForURL(/\/admin\/patients/);
    await expectSignedIn(page);
    // The list's data arrived: the API accepted the refreshed token (a header row plus patients).
    await page.getByRole('row').nth(1).waitFor();
    await page.waitForLoadState('networkidle');
    expect(refreshes.length).toBeGreaterThan(0);
    const answers = await Promise.all(refreshes.map(async (r) => (await r.response())?.status()));
    expect(answers).toContain(200);
    expect(await webStorage(page)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    await context.close();
  });

  it('a reload keeps the user signed in: the access token is gone with the page, the cookie restores it', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, { username: ctx().staff.clinician[2] as string });
    await page.goto('/admin/patients');
    await page.getByRole('row').nth(1).waitFor();
    const refresh = page.waitForResponse((r) => r.url().endsWith('/v1/auth/refresh'));
    await page.reload();
    expect((await refresh).status()).toBe(200);
    await expectSignedIn(page);
    await page.getByRole('row').nth(1).waitFor();
    expect(page.url()).toContain('/admin/patients');
    await context.close();
  });

  it('sign-out ends the session: back on the sign-in page, and a reload does not bring it back', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'admin');
    await page.getByRole('button', { name: es.ra.auth.user_menu }).click();
    await page.getByRole('menuitem', { name: es.ra.auth.logout, exact: true }).click();
    await page.waitForURL(/\/admin\/login/);
    await page.reload();
    await page.getByRole('heading', { name: es.dfy.auth.sign_in_title }).waitFor();
    expect(page.url()).toContain('/admin/login');
    await context.close();
  });

  it('forgot password → the e-mailed link opens the reset page → sign in with the new password', async () => {
    const username = ctx().staff.assistant[1] as string;
    const email = `${username}@clinic.example`;
    const newPassword = 'Otra-Clave-Muy-Larga-2026';
    const { page, context } = await newPage(browser);
    await page.goto('/admin/login');
    await page.getByRole('link', { name: es.dfy.auth.forgot_link }).click();
    await page.waitForURL(/\/admin\/forgot-password/);
    await settle(page);
    const asked = Date.now();
    const send = page.getByRole('button', { name: es.dfy.forgot.submit });
    await fillField(page.getByLabel(es.dfy.forgot.email), email, send);
    await send.click();
    await page.getByRole('status').filter({ hasText: es.dfy.forgot.sent }).waitFor();

    const link = passwordLinkIn(await waitForMail(email, asked));
    expect(link.startsWith(`${ctx().baseUrl}/reset-password#token=`)).toBe(true);
    await page.goto(link);
    await page.waitForURL(/\/admin\/reset-password/);
    await page.getByRole('heading', { name: es.dfy.reset.title }).waitFor();
    await settle(page);
    await expectNoSeriousA11y(page);
    await fillField(page.getByLabel(es.dfy.reset.new_password), newPassword);
    const save = page.getByRole('button', { name: es.dfy.reset.submit });
    await fillField(page.getByLabel(es.dfy.reset.confirm_password), newPassword, save);
    await save.click();
    await page.getByRole('status').filter({ hasText: es.dfy.reset.done }).waitFor();
    // The token left the address bar (history) once read.
    expect(page.url()).not.toContain('token=');

    await page.getByRole('link', { name: es.dfy.forgot.back_to_sign_in }).click();
    await signIn(page, { username, password: newPassword });
    await context.close();
    // The old password no longer works.
    const old = await fetch(`${ctx().baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: username, password: ctx().password }),
    });
    expect(old.status).toBe(401);
  });
});
