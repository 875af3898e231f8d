/**
 * The patient page and triage in a real browser against the seeded server: the statistics shown
 * equal the API's for the same window, the glucose chart and AGP draw SVG paths from data, a reading
 * added through the dialog appears in the table, CSV/PDF downloads arrive non-empty, an assistant sees
 * no glucose value, both languages render with no raw key, axe finds nothing serious, and the time
 * from navigation to the rendered summary on the 90-day CGM patient (median of 5) is printed.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatGlucose } from '../src/glucose/units';
import { clinicTimezone, intlLocale } from '../src/locale/time';
import { formatPercent } from '../src/patients/show/format';
import { presetWindow } from '../src/patients/show/window';
import { api, en, es, expectNoSeriousA11y, launchBrowser, newPage, shot, signIn } from './helpers';

let browser: Browser;
let cgm: { id: number; name: string; surname: string };
const TZ = clinicTimezone(undefined);

beforeAll(async () => {
  browser = await launchBrowser();
  const clinician = await api('clinician');
  const list = await clinician.get<{ data: { id: number; name: string; surname: string }[] }>(
    '/v1/patients?perPage=50',
  );
  // Only the first CGM patient has sensor data older than 30 days (seed: --first-cgm-days 90).
  const old = new Date(Date.now() - 45 * 86_400_000).toISOString();
  for (const p of list.data) {
    const page = await clinician.get<{ data: unknown[] }>(`/v1/patients/${p.id}/readings?source=cgm&to=${old}&limit=1`);
    if (page.data.length > 0) {
      cgm = p;
      break;
    }
  }
  expect(cgm, 'the seeded 90-day CGM patient').toBeTruthy();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Client-side navigation (react-router listens to popstate): a full reload would start a new page
 * without the in-memory access token, and in this harness run the cookie refresh answered 403.
 */
async function go(page: Page, path: string) {
  await page.evaluate((to) => {
    window.history.pushState({}, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, `/admin${path}`);
}

/** Statuses of the statistics calls and page errors, printed when the summary does not appear. */
const diagnostics = new WeakMap<Page, string[]>();
function watch(page: Page) {
  const log: string[] = [];
  diagnostics.set(page, log);
  page.on('response', (r) => {
    if (/\/v1\/patients\/\d+\/(stats|agp)/.test(r.url())) log.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => log.push(`pageerror ${e.message}`));
}

async function summaryReady(page: Page) {
  try {
    await page.getByTestId('band-inRange').waitFor({ timeout: 60_000 });
  } catch (e) {
    const body = await page.locator('body').innerText();
    throw new Error(`summary not rendered: ${(diagnostics.get(page) ?? []).join(' | ')}\n${body.slice(0, 600)}`, {
      cause: e,
    });
  }
}

async function noRawKeys(page: Page) {
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/\b(dfy|ra|resources)\.[a-z_]+\.[a-z_.]+/);
}

describe('patient page', () => {
  it('search → patient page → the summary equals the API statistics; timing median of 5', async () => {
    const { page } = await newPage(browser);
    watch(page);
    await signIn(page, 'clinician');
    await go(page, '/patients');
    await page.getByPlaceholder(es.dfy.patients.search).fill(cgm.surname);
    await page.getByRole('cell', { name: cgm.surname, exact: true }).first().click();
    await page.waitForURL(/\/patients\/\d+\/show/);
    await summaryReady(page);

    const w = presetWindow(14, TZ);
    const clinician = await api('clinician');
    const stats = await clinician.get<{
      bands: Record<string, { percent: number | null }>;
      meanMgDl: number | null;
      cvPercent: number | null;
    }>(`/v1/patients/${cgm.id}/stats?from=${w.from}&to=${w.to}&tz=${encodeURIComponent(TZ)}`);
    for (const band of ['veryLow', 'low', 'inRange', 'high', 'veryHigh']) {
      expect(await page.getByTestId(`band-${band}`).innerText(), band).toBe(
        formatPercent(stats.bands[band]?.percent, 'es'),
      );
    }
    expect(await page.getByTestId('metric-mean').innerText()).toBe(
      formatGlucose(stats.meanMgDl, 'mg/dL', intlLocale('es')),
    );
    expect(await page.getByTestId('metric-cv').innerText()).toBe(formatPercent(stats.cvPercent, 'es'));
    await noRawKeys(page);
    await shot(page, 'patient-summary');
    await expectNoSeriousA11y(page);

    await page.context().close();
    // Each run in a fresh signed-in browser context, so no cached statistics are reused.
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = await newPage(browser);
      watch(fresh.page);
      await signIn(fresh.page, 'clinician');
      const t0 = Date.now();
      await go(fresh.page, `/patients/${cgm.id}/show`);
      await summaryReady(fresh.page);
      times.push(Date.now() - t0);
      await fresh.context.close();
    }
    const median = [...times].sort((a, b) => a - b)[2];
    // The issue asks for this number in the CI log.
    process.stdout.write(
      `[perf] navigation → summary rendered (90-day CGM patient), median of 5: ${median} ms (${times.join(', ')})\n`,
    );
  });

  it('glucose chart and AGP draw paths from data; a reading added appears in the table', async () => {
    const { page } = await newPage(browser);
    await signIn(page, 'clinician');
    await go(page, `/patients/${cgm.id}/show?tab=glucose`);
    const chart = page.getByTestId('glucose-chart');
    await chart.locator('path.recharts-curve').first().waitFor({ timeout: 60_000 });
    const d = (await chart.locator('path.recharts-curve').first().getAttribute('d')) ?? '';
    // A 3-day CGM trace is hundreds of segments; a container alone would have none.
    expect(d.split('L').length).toBeGreaterThan(100);
    await page.getByTestId('readings-table').locator('tbody tr').first().waitFor();
    await shot(page, 'patient-glucose');
    await expectNoSeriousA11y(page);

    await page.getByRole('button', { name: es.dfy.pp.glucose.add }).click();
    await page.getByTestId('reading-value').fill('123');
    await page.getByRole('button', { name: es.ra.action.save }).click();
    const firstRow = page.getByTestId('readings-table').locator('tbody tr').first();
    await expect
      .poll(async () => firstRow.getByTestId('reading-value-cell').innerText(), { timeout: 20_000 })
      .toBe('123');

    await page.getByRole('tab', { name: es.dfy.pp.tabs.agp }).click();
    const agp = page.getByTestId('agp-chart');
    await agp.locator('path.recharts-area-area').first().waitFor({ timeout: 60_000 });
    const areas = await agp
      .locator('path.recharts-area-area')
      .evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''));
    expect(areas.length).toBe(2);
    for (const a of areas) expect(a.length).toBeGreaterThan(200);
    expect(await agp.locator('path.recharts-curve.recharts-line-curve').count()).toBeGreaterThan(0);
    await page.getByTestId('daily-profile').first().locator('path.recharts-curve').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('daily-profile').count()).toBeGreaterThan(7);
    await shot(page, 'patient-agp');
    await expectNoSeriousA11y(page);
    await page.context().close();
  });

  it('CSV and PDF downloads arrive and are not empty', async () => {
    const { page } = await newPage(browser);
    await signIn(page, 'clinician');
    await go(page, `/patients/${cgm.id}/show?tab=reports`);
    for (const format of ['csv', 'pdf'] as const) {
      const row = page.locator(`[data-report="${format}"]`);
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        row.getByRole('button').click(),
      ]);
      const file = await download.path();
      const bytes = readFileSync(file);
      expect(bytes.length, format).toBeGreaterThan(100);
      if (format === 'pdf') expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      else expect(bytes.toString('utf8').split('\n')[0]).toContain('value_mg_dl');
    }
    await shot(page, 'patient-reports');
    await expectNoSeriousA11y(page);
    await page.context().close();
  });

  it('an assistant sees no glucose value on the patient page', async () => {
    const { page } = await newPage(browser);
    const glucoseCalls: string[] = [];
    page.on('request', (r) => {
      if (/\/v1\/patients\/\d+\/(readings|stats|agp)/.test(r.url())) glucoseCalls.push(r.url());
    });
    await signIn(page, 'assistant');
    await go(page, `/patients/${cgm.id}/show`);
    await page.getByTestId('patient-name').waitFor();
    await page.locator('[data-achievement="streak"]').waitFor();
    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs).toEqual([es.dfy.pp.tabs.achievements]);
    const text = await page.locator('body').innerText();
    // The app bar's unit switch names the units; a value is a number followed by one.
    expect(text).not.toMatch(/\d\s*(mg\/dL|mmol\/L)/);
    expect(glucoseCalls).toEqual([]);
    await page.context().close();
  });

  it('English renders the patient page with no untranslated key', async () => {
    const { context, page } = await newPage(browser, { locale: 'en-GB' });
    watch(page);
    await signIn(page, 'clinician');
    // The app bar's language menu (a reload would need the cookie refresh; see go()).
    await page.getByRole('button', { name: /español/i }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await go(page, `/patients/${cgm.id}/show`);
    await summaryReady(page);
    await page.getByRole('tab', { name: en.dfy.pp.tabs.summary }).waitFor();
    await noRawKeys(page);
    for (const tab of ['glucose', 'agp', 'reports', 'achievements'] as const) {
      await page.getByRole('tab', { name: en.dfy.pp.tabs[tab] }).click();
      await page.waitForTimeout(300);
      await noRawKeys(page);
    }
    await shot(page, 'patient-achievements-en');
    await context.close();
  });
});

describe('triage', () => {
  it('ranks patients with reason chips and opens the summary', async () => {
    const { page } = await newPage(browser);
    watch(page);
    await signIn(page, 'clinician');
    await go(page, '/triage');
    const table = page.getByTestId('triage-table');
    await table.waitFor({ timeout: 30_000 });
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
    await noRawKeys(page);
    await shot(page, 'triage');
    await expectNoSeriousA11y(page);
    await table.locator('tbody tr a').first().click();
    await page.waitForURL(/\/patients\/\d+\/show\?tab=summary/);
    await page.getByTestId('patient-summary').waitFor({ timeout: 60_000 });
    await page.context().close();
  });
});
