/**
 * The patients screens in a real browser: search (one request per page), the blocked filter,
 * create by invitation (the e-mailed set-password link), a duplicate DNI highlighted in Spanish,
 * edit preferences in the staff member's display unit (stored in mg/dL), block/unblock with
 * confirmation, CSV export, the language switch with no untranslated key, the dark theme — each
 * checked against the API, with screenshots for docs/ and an axe scan of each screen.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  en,
  es,
  expectNoSeriousA11y,
  fillField,
  launchBrowser,
  newPage,
  settle,
  shot,
  signIn,
  waitForMail,
} from './helpers';

interface Patient {
  id: number;
  dni: string;
  email: string;
  name: string;
  surname: string;
  blocked: boolean;
  glucoseUnit: string;
  targetLowMgDl: number;
  targetHighMgDl: number;
  timezone: string;
}

/** Direct API calls as an admin, signed in afresh: the suite's access tokens live only 20 s. */
const asAdmin = () => api('admin');

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const f = es.resources.patients.fields;
/** A text field by its translated label (MUI appends a thin space and "*" to required ones). */
const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label}(\\s*\\*)?$`));
/** Translation keys left untranslated on screen: `dfy.x.y`, `ra.x.y`, `resources.x.y`. */
const UNTRANSLATED = /\b(dfy|ra|resources)\.[a-z_]+\.[a-zA-Z_.]+/;

async function patientsRequests(page: Page, act: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (r: { url(): string; method(): string }) => {
    if (r.method() === 'GET' && /\/v1\/patients(\/|\?|$)/.test(r.url())) seen.push(r.url());
  };
  page.on('request', listener);
  await act();
  await page.waitForLoadState('networkidle');
  page.off('request', listener);
  return seen;
}

describe('patients', () => {
  it('lists with the total, searches by DNI and by name with one request per page, filters blocked', async () => {
    const all = await (await asAdmin()).get<{ data: Patient[]; total: number }>('/v1/patients?perPage=100');
    const target = all.data[3] as Patient;
    const { page, context, cspViolations } = await newPage(browser);
    await signIn(page, 'assistant');
    await page.goto('/admin/patients');
    await page.getByRole('row').nth(1).waitFor();
    // The pagination shows the API's total.
    await page.getByText(new RegExp(`de ${all.total}$`)).waitFor();
    await expectNoSeriousA11y(page);
    await shot(page, 'patients-list');

    const search = page.getByPlaceholder(es.dfy.patients.search);
    const byDni = await patientsRequests(page, async () => {
      await fillField(search, target.dni);
      // The header row and the one patient with that DNI.
      await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(2);
      await page.getByRole('row').filter({ hasText: target.email }).waitFor();
    });
    expect(byDni.length).toBeGreaterThan(0);
    // One GET per page shown, never one per row.
    expect(byDni.every((u) => /\/v1\/patients\?/.test(u))).toBe(true);

    const expected = await (await asAdmin()).get<{ total: number }>(
      `/v1/patients?q=${encodeURIComponent(target.surname)}`,
    );
    await fillField(search, target.surname.toLowerCase());
    await expect.poll(() => page.getByRole('row').count(), { timeout: 30_000 }).toBe(expected.total + 1);
    await page.getByRole('row').filter({ hasText: target.email }).waitFor();

    // Blocked filter: exactly the patients the API calls blocked.
    const blocked = await (await asAdmin()).get<{ data: Patient[]; total: number }>(
      '/v1/patients?blocked=true&perPage=100',
    );
    await fillField(search, '');
    await page.getByRole('button', { name: es.ra.action.add_filter }).click();
    // react-admin lists the filters as checkable menu items.
    await page
      .getByRole('menuitemcheckbox', { name: es.dfy.patients.status })
      .or(page.getByRole('menuitem', { name: es.dfy.patients.status }))
      .first()
      .click();
    await page.getByRole('combobox', { name: es.dfy.patients.status }).click();
    await page.getByRole('option', { name: es.dfy.patients.filter_blocked }).click();
    if (blocked.total === 0) await page.getByText(es.dfy.patients.empty_filtered).waitFor();
    else await expect.poll(() => page.getByRole('row').count()).toBe(Math.min(blocked.total, 25) + 1);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('creates a patient by invitation (set-password mail), refuses a duplicate DNI on the field, edits preferences in mmol/L', async () => {
    const existing = (await (await asAdmin()).get<{ data: Patient[] }>('/v1/patients?perPage=1')).data[0] as Patient;
    const stamp = Date.now();
    const email = `e2e.${stamp}@patients.example`;
    const dni = String(40_000_000 + (stamp % 9_000_000));
    const { page, context } = await newPage(browser);
    await signIn(page, 'assistant');
    await page.goto('/admin/patients/create');
    await settle(page);
    await field(page, f.surname).fill('Prueba');
    await field(page, f.name).fill('Ana');
    await field(page, f.dni).fill(existing.dni);
    await field(page, f.email).fill(email);
    await expectNoSeriousA11y(page);
    await shot(page, 'patient-create');
    await page.getByRole('button', { name: es.ra.action.save }).click();
    // The API's 409 names the DNI: the field is marked, in Spanish.
    await page.getByText(es.dfy.validation.taken).waitFor();
    await expect.poll(() => field(page, f.dni).getAttribute('aria-invalid')).toBe('true');

    const since = Date.now();
    await field(page, f.dni).fill(`${dni.slice(0, 2)}.${dni.slice(2, 5)}.${dni.slice(5)}`);
    await page.getByRole('button', { name: es.ra.action.save }).click();
    await page.getByText(es.dfy.patients.created_invite).waitFor();
    await page.waitForURL(/\/admin\/patients\/\d+$/);
    const id = Number(page.url().split('/').pop());
    const created = await (await asAdmin()).get<Patient>(`/v1/patients/${id}`);
    expect(created).toMatchObject({ dni, email, name: 'Ana', surname: 'Prueba', blocked: false });
    const mail = await waitForMail(email, since);
    expect(mail).toMatch(/\/set-password[#?]token=/);

    // Display unit mmol/L: the target range is typed in mmol/L and stored in whole mg/dL.
    await page.getByRole('button', { name: 'mmol/L' }).click();
    await expect.poll(() => field(page, `${f.targetLowMgDl} \\(mmol/L\\)`).inputValue()).toBe('3.9');
    await field(page, `${f.targetLowMgDl} \\(mmol/L\\)`).fill('4');
    await field(page, `${f.targetHighMgDl} \\(mmol/L\\)`).fill('8.5');
    await page.getByRole('combobox', { name: f.glucoseUnit }).click();
    await page.getByRole('option', { name: 'mmol/L' }).click();
    await shot(page, 'patient-edit');
    await page.getByRole('button', { name: es.ra.action.save }).click();
    await page.getByText(es.ra.notification.updated.split(' |||| ')[0] as string).waitFor();
    const saved = await (await asAdmin()).get<Patient>(`/v1/patients/${id}`);
    // 4.0 × 18.0156 = 72.06 → 72; 8.5 × 18.0156 = 153.13 → 153.
    expect(saved).toMatchObject({ targetLowMgDl: 72, targetHighMgDl: 153, glucoseUnit: 'mmol/L' });
    await context.close();
  });

  it('blocks and unblocks with a confirmation; the API agrees', async () => {
    const target = (await (await asAdmin()).get<{ data: Patient[] }>('/v1/patients?perPage=100&sort=-surname'))
      .data[0] as Patient;
    const name = `${target.name} ${target.surname}`;
    const { page, context } = await newPage(browser);
    await signIn(page, 'assistant');
    await page.goto('/admin/patients');
    await fillField(page.getByPlaceholder(es.dfy.patients.search), target.dni);
    const row = page.getByRole('row').filter({ hasText: target.email });
    await row.getByRole('button', { name: `${es.dfy.patients.block}: ${name}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(es.dfy.patients.block_content).waitFor();
    await shot(page, 'patient-block-confirm');
    await dialog.getByRole('button', { name: es.dfy.patients.block }).click();
    await page.getByText(es.dfy.patients.blocked_done).waitFor();
    expect((await (await asAdmin()).get<Patient>(`/v1/patients/${target.id}`)).blocked).toBe(true);
    await row.getByText(es.dfy.patients.status_blocked).waitFor();

    await row.getByRole('button', { name: `${es.dfy.patients.unblock}: ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: es.dfy.patients.unblock }).click();
    await page.getByText(es.dfy.patients.unblocked_done).waitFor();
    expect((await (await asAdmin()).get<Patient>(`/v1/patients/${target.id}`)).blocked).toBe(false);
    await context.close();
  });

  it("a clinician sees no block button (blocking is the front desk's and admins')", async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'clinician');
    await page.goto('/admin/patients');
    await page.getByRole('row').nth(1).waitFor();
    expect(await page.getByRole('button', { name: new RegExp(`^${es.dfy.patients.block}:`) }).count()).toBe(0);
    await context.close();
  });

  it('exports the list as CSV with translated headers and one line per patient', async () => {
    const { total } = await (await asAdmin()).get<{ total: number }>('/v1/patients?perPage=1');
    const { page, context } = await newPage(browser);
    await signIn(page, 'assistant');
    await page.goto('/admin/patients');
    await page.getByRole('row').nth(1).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: es.ra.action.export }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${es.dfy.patients.export_file}.csv`);
    const stream = await download.createReadStream();
    let csv = '';
    for await (const chunk of stream) csv += String(chunk);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toContain(f.surname);
    expect(lines[0]).toContain(f.dni);
    expect(lines).toHaveLength(total + 1);
    await context.close();
  });

  it('switches to English with no untranslated key, remembers it, and the dark theme is remembered too', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, 'admin');
    await page.goto('/admin/patients');
    await page.getByRole('row').nth(1).waitFor();
    expect(await page.locator('body').innerText()).not.toMatch(UNTRANSLATED);

    await page.getByRole('button', { name: /Español/i }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByPlaceholder(en.dfy.patients.search).waitFor();
    await page.getByRole('columnheader', { name: en.resources.patients.fields.surname }).waitFor();
    expect(await page.locator('body').innerText()).not.toMatch(UNTRANSLATED);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.goto('/admin/patients/create');
    await page.getByText(en.dfy.patients.section_preferences).waitFor();
    expect(await page.locator('body').innerText()).not.toMatch(UNTRANSLATED);

    await page.getByRole('button', { name: en.ra.action.toggle_theme }).click();
    await page.goto('/admin/patients');
    await page.getByRole('row').nth(1).waitFor();
    await page.getByPlaceholder(en.dfy.patients.search).waitFor();
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // A dark page: every channel of the body background is low.
    const channels = (background.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    expect(Math.max(...channels)).toBeLessThan(60);
    await expectNoSeriousA11y(page);
    await shot(page, 'patients-list-dark-en');
    await context.close();
  });
});
