// Starts the web host (npm run serve's entry) on a random port and Debian Chromium through
// playwright-core; screenshots go to test-results/ (CI artifacts).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = path.join(ROOT, 'test-results');
export const DEMO_DIR = path.join(ROOT, '.tmp', 'e2e-demo');

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

export async function startHost(extraArgs: string[] = []): Promise<Host> {
  fs.mkdirSync(DEMO_DIR, { recursive: true });
  clearSessions();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main/web/serve.ts', '--port', '0', '--demo-dir', DEMO_DIR,
    '--root', path.join(ROOT, '.tmp'), ...extraArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
  });
  return {
    url, proc,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => { proc.once('exit', r); setTimeout(r, 5000); });
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS, headless: true });
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
