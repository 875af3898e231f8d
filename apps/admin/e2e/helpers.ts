/**
 * What every browser test needs: Debian's Chromium through playwright-core, signing in as a seeded
 * account, direct API calls as a patient or staff member, screenshots for docs/, the axe scan and
 * the mail the server wrote.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { englishAll } from '../src/i18n/en';
import { spanishMessages } from '../src/i18n/es';
import { REPO, type StaffRole } from './global-setup';

export const ctx = () => inject('e2e');
/** The app's own texts, so selectors follow the translations instead of copying them. */
export const es = spanishMessages;
export const en = englishAll;

export const CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Console messages reporting a Content-Security-Policy violation (there should be none). */
  cspViolations: string[];
}

/** A fresh browser profile (no cookies) on the suite's server, 1280×800, Spanish. */
export async function newPage(browser: Browser, options: { locale?: string } = {}): Promise<TestPage> {
  const context = await browser.newContext({
    baseURL: ctx().baseUrl,
    viewport: { width: 1280, height: 800 },
    locale: options.locale ?? 'es-AR',
    timezoneId: 'America/Argentina/Buenos_Aires',
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return { context, page, cspViolations };
}

/** Who: a role (its first seeded account), `{ username }`, or a patient by DNI/e-mail. */
export type Who = StaffRole | { username: string; password?: string } | { patient: string; password?: string };

export function identifierOf(who: Who): { identifier: string; password: string } {
  const { staff, password } = ctx();
  if (typeof who === 'string') {
    const username = staff[who][0];
    if (!username) throw new Error(`no seeded ${who}`);
    return { identifier: username, password };
  }
  if ('username' in who) return { identifier: who.username, password: who.password ?? password };
  return { identifier: who.patient, password: who.password ?? password };
}

/**
 * Lets the page finish its start-up requests (the app's silent refresh attempt on load re-renders
 * the auth pages), so what a test types is not wiped by a late re-mount.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
}

/**
 * Fills a field and checks the page took it: the value stayed (a re-render can clear it) and, when
 * given, `enables` became enabled (under load a fill can land before React listens; typing again
 * key by key is then seen).
 */
export async function fillField(field: Locator, value: string, enables?: Locator): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    if (attempt === 0) await field.fill(value);
    else {
      await field.clear();
      await field.pressSequentially(value, { delay: 20 });
    }
    const page = field.page();
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(300);
      const kept = (await field.inputValue()) === value;
      if (kept && (!enables || (await enables.isEnabled()))) return;
      if (!kept) break;
    }
  }
  throw new Error(`the page did not take the value of ${String(field)}`);
}

/** Fills the sign-in form (from wherever the app put us) and submits it; does not wait for the result. */
export async function submitSignIn(page: Page, who: Who): Promise<void> {
  const { identifier, password } = identifierOf(who);
  if (!page.url().includes('/admin/login')) await page.goto('/admin/login');
  await settle(page);
  await fillField(page.getByLabel(es.dfy.auth.identifier), identifier);
  const submit = page.getByRole('button', { name: es.dfy.auth.sign_in, exact: true });
  await fillField(page.getByLabel(es.dfy.auth.password, { exact: false }).first(), password, submit);
  await submit.click();
}

/** Waits until the app shows its signed-in frame (the user menu in the app bar). */
export async function expectSignedIn(page: Page): Promise<void> {
  await page.getByRole('button', { name: es.ra.auth.user_menu }).waitFor({ timeout: 30_000 });
  expect(page.url()).not.toContain('/login');
}

/** Signs in through the UI as a staff member without MFA and waits for the signed-in app. */
export async function signIn(page: Page, who: Who): Promise<void> {
  await submitSignIn(page, who);
  await expectSignedIn(page);
}

export interface ApiClient {
  token: string;
  call<T = unknown>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }>;
  get<T = unknown>(url: string): Promise<T>;
  post<T = unknown>(url: string, body?: unknown): Promise<T>;
}

/** Direct API calls as someone (password sign-in; staff with MFA are not supported here). */
export async function api(who: Who): Promise<ApiClient> {
  const { baseUrl } = ctx();
  const { identifier, password } = identifierOf(who);
  const login = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier, password }),
  });
  const tokens = (await login.json()) as { accessToken?: string; mfaRequired?: boolean };
  if (!login.ok || !tokens.accessToken)
    throw new Error(`api(${identifier}): ${login.status} ${JSON.stringify(tokens)}`);
  const token = tokens.accessToken;
  const call = async <T>(method: string, url: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const ok = async <T>(method: string, url: string, body?: unknown) => {
    const res = await call<T>(method, url, body);
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    token,
    call,
    get: (url) => ok('GET', url),
    post: (url, body) => ok('POST', url, body ?? {}),
  };
}

/** A PNG of the page in docs/screenshots/ (linked from the README). */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = path.join(REPO, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), animations: 'disabled' });
}

/** axe-core over the page as rendered: no serious or critical violation (WCAG 2.x A/AA rules). */
export async function expectNoSeriousA11y(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(' | ')})`);
  expect(serious, `axe on ${page.url()}`).toEqual([]);
}

/** The newest .eml the server wrote to `to` after `since` (ms), decoded enough to read links. */
export async function waitForMail(to: string, since: number, timeoutMs = 20_000): Promise<string> {
  const dir = path.join(ctx().dataDir, 'mail');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    } catch {
      // no mail yet
    }
    for (const f of files.sort().reverse()) {
      const raw = readFileSync(path.join(dir, f), 'utf8');
      const text = decodeQuotedPrintable(raw);
      const stamp = Date.parse(
        f.slice(0, 24).replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z.*/, '$1:$2:$3.$4Z'),
      );
      if (text.toLowerCase().includes(`to: ${to.toLowerCase()}`) && (Number.isNaN(stamp) || stamp >= since - 1000)) {
        return text;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail to ${to} in ${dir} within ${timeoutMs} ms`);
}

function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The first `${origin}/…-password#token=…` (or legacy `?token=`) link in a mail. */
export function passwordLinkIn(mail: string): string {
  const m = /https?:\/\/[^\s"<>]+\/(?:reset|set)-password[#?]token=[A-Za-z0-9_%.~-]+/.exec(mail);
  if (!m) throw new Error(`no password link in:\n${mail}`);
  return m[0];
}
