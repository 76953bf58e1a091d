// The one set-up of every end-to-end test: start the web host (npm run serve's entry) on a random
// port, launch Debian Chromium through playwright-core with fixed flags, open one page at
// 1280x800, collect uncaught page errors, open the app with its token, and write screenshots to
// test-results/ (CI artifacts; scripts/refresh-screenshots.mjs copies chosen ones into docs/).
// A spec file calls `useApp()` inside its describe and drives `app.page`; nothing else starts a
// host or a browser (test/lint/e2e-harness.test.ts checks that).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = path.join(ROOT, 'test-results');
export const DEMO_DIR = path.join(ROOT, '.tmp', 'e2e-demo');
export const VIEWPORT = { width: 1280, height: 800 };

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export function chromiumPath(): string {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && fs.existsSync(p)) return p;
  throw new Error('Chromium not found: install it (apt-get install -y chromium) or set CHROMIUM_PATH');
}

export interface Host { url: string; proc: ChildProcess; stop(): Promise<void> }

/** Remove session folders (caches, journals) under the demo folder so each suite starts fresh. */
export function clearSessions(dir = DEMO_DIR): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name.endsWith('.spikedesk')) fs.rmSync(p, { recursive: true, force: true });
    else if (e.isDirectory()) clearSessions(p);
  }
}

/**
 * The web host with the shared demo folder and .tmp/ as allowed root; `extraArgs` follow. Each host
 * gets a fresh settings folder (removed by stop()), so the user's recent files and run estimates
 * neither show up in nor are changed by the tests.
 */
export async function startHost(extraArgs: string[] = []): Promise<Host> {
  fs.mkdirSync(DEMO_DIR, { recursive: true });
  clearSessions();
  const settingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-e2e-settings-'));
  const removeSettings = () => fs.rmSync(settingsDir, { recursive: true, force: true });
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main/web/serve.ts', '--port', '0', '--demo-dir', DEMO_DIR,
    '--settings-dir', settingsDir, '--root', path.join(ROOT, '.tmp'), ...extraArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${log}`)), 60_000);
    proc.stdout!.on('data', (d) => {
      log += d;
      const m = /Open: (\S+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.stderr!.on('data', (d) => { log += d; });
    proc.on('exit', (c) => { clearTimeout(timer); reject(new Error(`web host exited (${c}):\n${log}`)); });
  }).catch((e: unknown) => { proc.kill('SIGTERM'); removeSettings(); throw e; });
  return {
    url, proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => { proc.once('exit', r); setTimeout(r, 5000); });
      }
      removeSettings();
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS, headless: true });
}

/** Screenshot of the viewport into test-results/NAME.png; `settleMs` lets plots finish drawing. */
export async function shot(page: Page, name: string, settleMs = 0): Promise<string> {
  fs.mkdirSync(RESULTS, { recursive: true });
  if (settleMs > 0) await page.waitForTimeout(settleMs);
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/**
 * Per CSS colour ("rgb(r, g, b)"), how many pixels of the element's on-screen image have it (within
 * 24 per channel). The image is taken in memory (not written) and decoded in the page, so a spec can
 * check what a canvas (WebGL) plot actually drew.
 */
export async function colourPixels(page: Page, selector: string, colours: string[]): Promise<number[]> {
  const png = await page.locator(selector).screenshot();
  return page.evaluate(async ({ b64, colours }) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = document.createElement('canvas');
    c.width = bmp.width; c.height = bmp.height;
    const g = c.getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    return colours.map((css) => {
      const [r, gg, b] = css.match(/\d+/g)!.map(Number);
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k] - r) < 24 && Math.abs(d[k + 1] - gg) < 24 && Math.abs(d[k + 2] - b) < 24) n++;
      return n;
    });
  }, { b64: png.toString('base64'), colours });
}

export interface AppOptions {
  /** Web host arguments after the defaults (port, demo folder, root). Default: ['--jobs', '2']. */
  hostArgs?: string[];
  /** Runs before the host starts, e.g. to write the file named in hostArgs. */
  prepare?: () => void | Promise<void>;
}

export interface App {
  readonly host: Host;
  readonly browser: Browser;
  /** One page at 1280x800. */
  readonly page: Page;
  /** Messages of uncaught errors in the page so far (tests end with `expect(app.errors).toEqual([])`). */
  readonly errors: string[];
  /** The app's URL with its token; `token: false` drops the token (what a user who lost it sees). */
  url(opts?: { token?: boolean }): string;
  /** Navigate the page to the app (with its token unless `token: false`). */
  open(opts?: { token?: boolean }): Promise<void>;
  /** Open the app and wait for the spike demo's traces (the default recording). */
  openDemo(): Promise<void>;
  close(): Promise<void>;
}

/** Starts host, browser and page; closes whatever started if a later step fails. */
export async function startApp(opts: AppOptions = {}): Promise<App> {
  await opts.prepare?.();
  const host = await startHost(opts.hostArgs ?? ['--jobs', '2']);
  let browser: Browser | undefined;
  try {
    browser = await launch();
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const b = browser;
    const url = (o: { token?: boolean } = {}): string => (o.token === false ? host.url.replace(/\?token=.*$/, '') : host.url);
    const app: App = {
      host, browser: b, page, errors, url,
      async open(o) { await page.goto(url(o)); },
      async openDemo() {
        await page.goto(url());
        await waitForRecording(page, '32 ch');
        await page.getByTestId('trace-canvas').waitFor();
      },
      async close() {
        await b.close().catch(() => undefined);
        await host.stop();
      },
    };
    return app;
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await host.stop();
    throw e;
  }
}

/**
 * Registers beforeAll/afterAll in the enclosing describe: the app starts before its tests and
 * closes after them. The returned handle is usable inside tests and hooks only.
 */
export function useApp(opts: AppOptions = {}): App {
  let app: App | undefined;
  beforeAll(async () => { app = await startApp(opts); });
  afterAll(async () => { await app?.close(); });
  const get = (): App => {
    if (!app) throw new Error('useApp(): the app is not started (use the handle inside tests, after beforeAll)');
    return app;
  };
  return {
    get host() { return get().host; },
    get browser() { return get().browser; },
    get page() { return get().page; },
    get errors() { return get().errors; },
    url: (o) => get().url(o),
    open: (o) => get().open(o),
    openDemo: () => get().openDemo(),
    close: () => get().close(),
  };
}

/** Waits until the recording title names `text` (e.g. '32 ch', 'brainvision'). */
export async function waitForRecording(page: Page, text: string, timeout = 180_000): Promise<void> {
  await page.getByTestId('recording-title').filter({ hasText: text }).waitFor({ timeout });
}

/** The run report's text, '' while there is none. */
export async function reportText(page: Page): Promise<string> {
  return (await page.getByTestId('run-report').textContent().catch(() => '')) ?? '';
}

/** Waits until the run report matches `pattern` (e.g. /sort · done/). */
export async function waitForReport(page: Page, pattern: RegExp, timeout = 200_000): Promise<void> {
  await expect.poll(() => reportText(page), { timeout, interval: 500 }).toMatch(pattern);
}

/** Fills the channel field, starts the current workflow and waits for its report. */
export async function runAndWait(page: Page, channels: string, pattern: RegExp, timeout = 200_000): Promise<void> {
  await page.getByTestId('channels').fill(channels);
  await page.getByTestId('run-start').click();
  await waitForReport(page, pattern, timeout);
}

/** Whether the element lies wholly inside the 1280x800 viewport (what a person sees without scrolling). */
export async function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.evaluate(([sel, w, h]) => {
    const els = [...document.querySelectorAll(sel as string)];
    return els.length > 0 && els.every((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= (h as number) && r.right <= (w as number);
    });
  }, [selector, VIEWPORT.width, VIEWPORT.height] as const);
}

/** Texts of the elements matching `selector` that are cut off (ellipsis or clipped: wider content than box). */
export async function cutOff(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)]
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.textContent ?? ''), selector);
}
