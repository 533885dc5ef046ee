/**
 * Real Chromium (Debian's /usr/bin/chromium) through playwright-core for the web UI tests:
 * launch flags from the lab, a hydration wait, screenshots at the two sizes the UI must work at,
 * and a record of every request so a test can assert nothing left the Striker's origin.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'screenshots');
export const WIDE = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };

export interface UiBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every URL the browser asked for, in order. */
  requests: string[];
  /** Uncaught page errors (a hydration or runtime failure shows here). */
  pageErrors: string[];
  /** Console messages reporting something the Content-Security-Policy refused. */
  cspViolations: string[];
  close(): Promise<void>;
}

export async function launchUi(): Promise<UiBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (test/system-packages.txt)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: WIDE });
  const requests: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content[ -]Security[ -]Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.setDefaultTimeout(15_000);
  return { browser, context, page, requests, pageErrors, cspViolations, close: () => browser.close() };
}

/** Opens a path and waits until the app has hydrated (the root layout marks <body> on mount). */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('body[data-hydrated]').waitFor();
}

/** Saves `<name>-1280.png` and `<name>-390.png`, then restores the wide viewport. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.setViewportSize(WIDE);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(WIDE);
}

/** Calls the API from inside the page, as the app does (same origin, cookie, CSRF token from /api/session). */
export async function apiFromPage(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken?: string };
      const headers: Record<string, string> = { 'x-csrf-token': s.csrfToken ?? '' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: res.status === 204 ? null : await res.json() };
    },
    { method, path, body },
  );
}
