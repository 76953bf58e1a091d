// `npm start` on a machine without the Electron binary (#5): no stack trace, it says what is
// missing and how to get it, and starts the web UI instead (the address it prints serves the app).
// Also: `npm install` never runs Electron's download (.npmrc ignore-scripts).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm start without the Electron binary', () => {
  it('explains, then serves the web UI', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/start.mjs'), '--port', '0', '--demo-dir', tmp], {
      cwd: ROOT, env: { ...process.env, SPIKEDESK_NO_ELECTRON: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    let out = '', err = '';
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { err += d; });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no address within 90 s:\n${out}\n${err}`)), 90_000);
        child.stdout!.on('data', () => { const m = /Open: (\S+)/.exec(out); if (m) { clearTimeout(t); resolve(m[1]); } });
        child.on('exit', (c) => { clearTimeout(t); reject(new Error(`exited ${c}:\n${out}\n${err}`)); });
      });
      expect(err).toMatch(/Electron binary is not installed/);
      expect(err).toMatch(/npm run electron:install/);
      expect(err).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
    } finally {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    }
  }, 120_000);

  it('npm install is configured not to run install scripts (no Electron download offline)', () => {
    const npmrc = fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8');
    expect(npmrc).toMatch(/^ignore-scripts=true$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node bin/start.mjs');
    expect(pkg.scripts['electron:install']).toMatch(/electron\/install\.js/);
  });
});
