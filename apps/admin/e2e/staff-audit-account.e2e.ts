/**
 * Staff, audit log and "my account" in a real browser against the real server: an admin creates a
 * staff account with roles, edits the roles and blocks it (its sign-in is then refused); the audit
 * log filtered by action lists only those rows, exports them and verifies the chain; a staff member
 * enrols TOTP from My account (code computed from the secret shown) and the next sign-in asks for
 * it; another session is ended from the sessions list. Every screen gets an axe scan.
 */
import { readFileSync } from 'node:fs';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  ctx,
  es,
  expectNoSeriousA11y,
  expectSignedIn,
  launchBrowser,
  newPage,
  shot,
  signIn,
  submitSignIn,
} from './helpers';

const PASSWORD = 'Clave-Larga-De-Prueba-2026';
let browser: Browser;
let seq = 0;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh staff account made through the API by the seeded admin (each test its own person). */
async function newStaff(roles: string[]): Promise<{ id: number; username: string }> {
  const admin = await api('admin');
  const username = `e2e.f3.${Date.now().toString(36)}${seq++}`;
  const made = await admin.post<{ id: number }>('/v1/staff', {
    username,
    email: `${username}@clinic.example`,
    name: 'Prueba Automática',
    roles,
    password: PASSWORD,
  });
  return { id: made.id, username };
}

async function loginStatus(identifier: string, password = PASSWORD) {
  const res = await fetch(`${ctx().baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier, password }),
  });
  return { status: res.status, body: (await res.json()) as { code?: string; mfaRequired?: boolean } };
}

const now = () => Math.floor(Date.now() / 1000);
const menuEntry = (page: Page, name: string) =>
  page.getByRole('menuitem', { name }).or(page.getByRole('link', { name, exact: true }));

describe('staff (admins)', () => {
  it('an admin creates a staff account with roles, edits the roles and blocks it; its sign-in is refused', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'admin');
    await menuEntry(page, es.dfy.menu.staff).first().click();
    await page.waitForURL(/\/admin\/staff/);
    await page.getByRole('row').nth(1).waitFor();
    await expectNoSeriousA11y(page);
    await shot(page, 'staff-list');

    const username = `e2e.nueva.${Date.now().toString(36)}`;
    await page.getByRole('link', { name: es.ra.action.create }).first().click();
    await page.waitForURL(/\/admin\/staff\/create/);
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="name"]').fill('Nueva Integrante');
    await page.locator('input[name="email"]').fill(`${username}@clinic.example`);
    await page.getByRole('checkbox', { name: es.dfy.staff.roles.clinician }).check();
    await page.getByRole('radio', { name: es.dfy.staff.set_password }).check();
    // First a password the policy refuses: the server's reason shows on that field, in Spanish.
    await page.locator('input[name="password"]').fill('corta');
    await page.getByRole('button', { name: es.ra.action.save }).click();
    await page.getByText(es.dfy.validation.password_short).waitFor();
    await expect.poll(() => page.locator('input[name="password"]').getAttribute('aria-invalid')).toBe('true');
    await expectNoSeriousA11y(page);
    await shot(page, 'staff-create');
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: es.ra.action.save }).click();
    await page.waitForURL(/\/admin\/staff\/\d+$/);
    const id = Number(/\/staff\/(\d+)$/.exec(page.url())?.[1]);
    const admin = await api('admin');
    expect(await admin.get(`/v1/staff/${id}`)).toMatchObject({ username, roles: ['clinician'], blocked: false });
    expect((await loginStatus(username)).status).toBe(200);

    // Edit the roles: assistant instead of clinician.
    await page.getByRole('checkbox', { name: es.dfy.staff.roles.clinician }).uncheck();
    await page.getByRole('checkbox', { name: es.dfy.staff.roles.assistant }).check();
    await page.getByRole('button', { name: es.ra.action.save }).click();
    await expect
      .poll(async () => ((await admin.get(`/v1/staff/${id}`)) as { roles: string[] }).roles)
      .toEqual(['assistant']);

    // Block, with a confirmation.
    await page.goto(`/admin/staff/${id}`);
    await page.getByRole('button', { name: es.dfy.staff.block, exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(es.dfy.staff.block_content).waitFor();
    await expectNoSeriousA11y(page);
    await shot(page, 'staff-block-confirm');
    await dialog.getByRole('button', { name: es.dfy.staff.block }).click();
    await page.getByText(es.dfy.staff.blocked_done).waitFor();
    expect(await admin.get(`/v1/staff/${id}`)).toMatchObject({ blocked: true });
    const refused = await loginStatus(username);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('account_blocked');

    // The blocked person trying the back-office sees why.
    const other = await newPage(browser);
    await submitSignIn(other.page, { username, password: PASSWORD });
    await other.page.getByRole('alert').filter({ hasText: es.dfy.errors.account_blocked }).waitFor();
    await other.context.close();
    await context.close();
    // Two sign-ins, three saves and three axe scans: over the default 120 s on a busy CI machine.
  }, 240_000);
});

describe('audit log (admins)', () => {
  it('filtered by action shows only those rows, exports them and verifies the chain', async () => {
    await newStaff(['assistant']); // at least one staff.create event
    const { page, context } = await newPage(browser);
    await signIn(page, 'admin');
    await menuEntry(page, es.dfy.menu.audit).first().click();
    await page.waitForURL(/\/admin\/audit/);
    await page.locator('tr[data-action]').first().waitFor();

    await page.getByLabel(es.dfy.audit.action, { exact: true }).fill('staff.create');
    await page.getByRole('button', { name: es.dfy.audit.apply }).click();
    await expect
      .poll(async () => [
        ...new Set(
          await page.locator('tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
        ),
      ])
      .toEqual(['staff.create']);
    expect(await page.locator('tr[data-action]').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: es.dfy.audit.verify }).click();
    const verdict = page.getByTestId('audit-verdict');
    await verdict.waitFor();
    expect(await verdict.textContent()).toContain(es.dfy.audit.verify_ok.split(':')[0]);
    await expectNoSeriousA11y(page);
    await shot(page, 'audit-log');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: es.dfy.audit.export_csv }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv).toContain('staff.create');
    expect(csv).not.toContain('auth.login,');
    await context.close();
  });
});

describe('my account', () => {
  it('a staff member enrols TOTP (QR + secret, recovery codes once) and the next sign-in asks for the code', async () => {
    const { username } = await newStaff(['clinician']);
    const { page, context } = await newPage(browser);
    await signIn(page, { username, password: PASSWORD });
    // A clinician is not offered the admin screens.
    await expect.poll(() => menuEntry(page, es.dfy.menu.staff).count()).toBe(0);
    expect(await menuEntry(page, es.dfy.menu.audit).count()).toBe(0);
    await menuEntry(page, es.dfy.menu.account).first().click();
    await page.waitForURL(/\/admin\/account/);
    await page.getByRole('heading', { name: es.dfy.account.sessions_title }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    await expectNoSeriousA11y(page);
    await shot(page, 'account');

    await page.getByRole('button', { name: es.dfy.account.mfa_start }).click();
    await page.locator('#mfa-password').fill(PASSWORD);
    await page.getByRole('button', { name: es.dfy.account.mfa_continue }).click();
    await page.getByTestId('totp-qr').waitFor();
    expect(await page.getByTestId('totp-qr').locator('path').getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await expectNoSeriousA11y(page);
    await shot(page, 'account-mfa-setup');
    // A wrong code is refused on the field.
    await page.locator('#mfa-code').fill('000000');
    await page.getByRole('button', { name: es.dfy.account.mfa_confirm }).click();
    await page.getByText(es.dfy.errors.invalid_mfa_code).first().waitFor();
    await page.locator('#mfa-code').fill(await generate({ secret, epoch: now() }));
    await page.getByRole('button', { name: es.dfy.account.mfa_confirm }).click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await codes.first().waitFor();
    expect(await codes.count()).toBeGreaterThanOrEqual(5);
    await page.getByText(es.dfy.account.recovery_warning).waitFor();
    await expectNoSeriousA11y(page);
    await shot(page, 'account-recovery-codes');
    await page.getByRole('button', { name: es.dfy.account.recovery_done }).click();
    await expect.poll(() => codes.count()).toBe(0);
    await page.getByRole('button', { name: es.dfy.account.mfa_disable }).waitFor();

    // Sign out; signing in again now takes the code. The app bar hides while scrolled down: back up.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: es.ra.auth.user_menu }).click();
    await page.getByRole('menuitem', { name: es.ra.auth.logout, exact: true }).click();
    await page.waitForURL(/\/admin\/login/);
    await submitSignIn(page, { username, password: PASSWORD });
    await page.getByRole('heading', { name: es.dfy.auth.mfa_title }).waitFor();
    // The enrolment spent this time step (codes are single-use): the next step is within tolerance.
    await page.getByLabel(es.dfy.auth.code).fill(await generate({ secret, epoch: now() + 30 }));
    await page.getByRole('button', { name: es.dfy.auth.verify }).click();
    await expectSignedIn(page);
    await context.close();
  });

  it('ends another session from the sessions list; the current one is marked and stays', async () => {
    const { username } = await newStaff(['assistant']);
    // Another device: a sign-in with its own User-Agent.
    const tablet = await fetch(`${ctx().baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Diabetify-Tablet/1.0 (e2e)' },
      body: JSON.stringify({ identifier: username, password: PASSWORD }),
    });
    expect(tablet.status).toBe(200);

    const { page, context } = await newPage(browser);
    await signIn(page, { username, password: PASSWORD });
    await page.goto('/admin/account');
    const tabletRow = page.locator('tbody tr', { hasText: 'Diabetify-Tablet/1.0' });
    await tabletRow.waitFor();
    await page.locator('tbody tr', { hasText: es.dfy.account.current }).waitFor();
    await tabletRow
      .getByRole('button', { name: es.dfy.account.revoke_label.replace('%{device}', 'Diabetify-Tablet/1.0') })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(es.dfy.account.revoke_content).waitFor();
    await dialog.getByRole('button', { name: es.dfy.account.revoke }).click();
    await page.getByText(es.dfy.account.revoked).waitFor();
    await expect.poll(() => tabletRow.count()).toBe(0);

    // The server agrees: the tablet's session is gone, this browser's remains.
    const me = await api({ username, password: PASSWORD });
    const { data } = await me.get<{ data: { userAgent: string | null }[] }>('/v1/auth/sessions');
    expect(data.some((s) => s.userAgent?.includes('Diabetify-Tablet'))).toBe(false);
    expect(data.some((s) => s.userAgent?.includes('Chrom'))).toBe(true);
    await page.reload();
    await expectSignedIn(page);
    await context.close();
  });
});
