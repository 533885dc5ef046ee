/**
 * Real Chromium (Debian's /usr/bin/chromium) through playwright-core for the web UI tests:
 * launch flags from the lab, a hydration wait, screenshots at the two sizes the UI must work at,
 * a record of every request so a test can assert nothing left the Striker's origin, and the
 * page's errors and console errors collected.
 *
 * `startUiStriker` is the one set-up of a UI test: a test database (or serve's embedded one), a
 * data directory, `striker serve` on loopback, the users the test needs (`striker user add`, as
 * an administrator would), Chromium, and a `close` that undoes all of it; `logIn` is the one way
 * a test logs in through the login page.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runStriker, startServeOnLoopback, type ServeProcess } from './striker-process.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

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
  /** Console messages of type error (a failed request, a runtime error the app logged). */
  consoleErrors: string[];
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
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content[ -]Security[ -]Policy/i.test(m.text())) cspViolations.push(m.text());
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.setDefaultTimeout(15_000);
  return { browser, context, page, requests, pageErrors, cspViolations, consoleErrors, close: () => browser.close() };
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

export interface UiUser {
  name: string;
  role: 'admin' | 'operator' | 'viewer';
  password: string;
}

export interface UiStrikerOptions {
  /** Names the data directory (`<name>-XXXXXX` under the temp dir). */
  name: string;
  /** `test` (default): a fresh test database; `embedded`: no database URL, serve starts its own PostgreSQL. */
  database?: 'test' | 'embedded';
  /** More environment for serve and the CLI (settings as `STRIKER_…`). */
  env?: Record<string, string>;
  /** serve's log level (default warn; null leaves serve's default). */
  logLevel?: string | null;
  /** Users added before the browser starts. */
  users?: readonly UiUser[];
}

export interface UiStriker {
  /** The test database (undefined with `database: 'embedded'`). */
  t: TestDatabase | undefined;
  dataDir: string;
  /** The environment serve runs with: give it to `runStriker` for CLI calls against the same Striker. */
  env: Record<string, string>;
  striker: ServeProcess;
  /** serve's URL, without a trailing slash. */
  base: string;
  ui: UiBrowser;
  addUser(user: UiUser): Promise<void>;
  /** Closes the browser, stops serve, drops the database and removes the data directory. */
  close(): Promise<void>;
}

export async function startUiStriker(o: UiStrikerOptions): Promise<UiStriker> {
  const t = o.database === 'embedded' ? undefined : await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), `${o.name}-`));
  const env: Record<string, string> = { STRIKER_DATA_DIR: dataDir };
  if (t) env.STRIKER_DATABASE__URLS = JSON.stringify([t.url]);
  if (o.logLevel !== null) env.STRIKER_LOG__LEVEL = o.logLevel ?? 'warn';
  Object.assign(env, o.env);
  let striker: ServeProcess | undefined;
  let ui: UiBrowser | undefined;
  const close = async () => {
    await ui?.close();
    await striker?.stop();
    await t?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    striker = await startServeOnLoopback(env);
    const addUser = async (user: UiUser) => {
      const r = await runStriker(['user', 'add', user.name, '--role', user.role], env, `${user.password}\n`);
      if (r.code !== 0) throw new Error(`striker user add ${user.name} failed (${r.code}): ${r.stderr}`);
    };
    for (const user of o.users ?? []) await addUser(user);
    ui = await launchUi();
    return { t, dataDir, env, striker, base: striker.url.replace(/\/$/, ''), ui, addUser, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Logs in through the login page as `username` (logging out first when a user is logged in) and
 * waits until login has landed: on the dashboard unless `landed` says otherwise.
 */
export async function logIn(page: Page, base: string, username: string, password: string, landed: (url: URL) => boolean = (url) => url.pathname === '/'): Promise<void> {
  if ((await page.getByTestId('logout').count()) > 0) {
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
  }
  await open(page, `${base}/login`);
  await page.locator('[id="username"]').fill(username);
  await page.locator('[id="password"]').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(landed);
}
