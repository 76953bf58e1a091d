// The desktop app as a user meets it, on the built bundle (out/, laid out like the installed app)
// under the Electron API emulation: demo traces in the window, a sort on 2 utility processes with
// per-worker progress and one worker killed mid-run (replaced, its channel retried), Export > Phy
// through the menu and a scripted save dialog, File > Open through a scripted open dialog, a file
// dropped on the window, and closing the window, after which no child process is left.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Emulation } from './emulation/index';
import type { BrowserWindow } from './emulation/window';
import { FIXTURES, WORK, alive, demoShown, launchApp } from './harness';

describe('desktop app under the Electron emulation', () => {
  let emu: Emulation;
  let win: BrowserWindow;
  let page: Page;
  const exportDir = path.join(WORK, 'exports', 'phy-from-menu');

  beforeAll(async () => {
    fs.rmSync(path.dirname(exportDir), { recursive: true, force: true });
    fs.mkdirSync(path.dirname(exportDir), { recursive: true });
    emu = await launchApp('scenario');
    win = await emu.firstWindow(120_000);
    page = win.webContents.page!;
  });
  afterAll(async () => { await emu?.dispose(); });

  it('opens one locked-down window that shows the demo traces', async () => {
    await demoShown(page, 240_000);
    expect(win.isVisible()).toBe(true);
    expect(win.webContents.getURL()).toMatch(/\/resources\/app\.asar\/out\/renderer\/index\.html$/);
    // The preload exposes nothing and no Node API reaches the page.
    expect(win.webContents.exposed).toEqual([]);
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(win.webContents.console.filter((l) => /preload/.test(l))).toEqual([]);
    // Session hardening answers like Chromium would ask.
    expect((await emu.session.headersFor('file:///x'))['Content-Security-Policy']?.[0]).toMatch(/script-src 'self'/);
    expect(await emu.session.requestPermission('media')).toBe(false);
    // A navigation away is stopped by will-navigate; a new window is denied.
    await page.evaluate(() => { location.href = 'https://example.org/'; });
    await page.waitForTimeout(300);
    expect(win.webContents.getURL()).toMatch(/index\.html$/);
    expect(Object.keys(emu.Menu.outline()[0] as object)).toEqual(['File']);
    expect(win.webContents.pageErrors).toEqual([]);
    expect(emu.errors.list).toEqual([]);
  });

  it('sorts on 2 utility processes with per-worker progress; a worker killed mid-run is replaced and its channel retried', async () => {
    await page.getByLabel('jobs').fill('2');
    await page.getByTestId('channels').fill('0-7');
    await page.getByTestId('run-start').click();
    // Both workers busy: kill the utility process of one that is inside a channel.
    let killed: { pid: number; channel: number; started: number } | null = null;
    await expect.poll(async () => {
      const bars = await page.getByTestId('worker-bar').evaluateAll((els) => els.map((e) => ({ text: e.textContent ?? '', pct: Number((e as HTMLElement).dataset.percent) })));
      const busy = bars.map((b) => ({ ...b, m: /^W(\d+) · ch (\d+)/.exec(b.text) })).find((b) => b.m && b.pct > 0 && b.pct < 100);
      if (bars.length < 2 || !busy) return false;
      const rec = emu.utility.find((r) => r.alive && r.serviceName === `SpikeDesk worker-${busy.m![1]}`);
      if (!rec?.pid) return false;
      killed = { pid: rec.pid, channel: Number(busy.m![2]), started: emu.utility.length };
      process.kill(rec.pid, 'SIGKILL');
      return true;
    }, { timeout: 120_000, interval: 50 }).toBe(true);
    await expect.poll(async () => (await page.getByTestId('run-report').textContent().catch(() => '')) ?? '', { timeout: 240_000, interval: 500 }).toMatch(/sort · done/);
    const report = (await page.getByTestId('run-report').textContent())!;
    expect(report).not.toMatch(/failed channels/);
    const bars = page.getByTestId('worker-bar');
    expect(await bars.count()).toBe(2);
    for (let i = 0; i < 2; i++) expect(await bars.nth(i).getAttribute('data-percent')).toBe('100');
    // The killed process is gone, a new one took its slot: two live workers again.
    expect(alive(killed!.pid)).toBe(false);
    const live = emu.utility.filter((r) => r.alive);
    expect(live.length).toBe(2);
    expect(live.map((r) => r.pid)).not.toContain(killed!.pid);
    expect(emu.utility.length).toBe(killed!.started + 1); // exactly one replacement started
    expect(emu.utility.filter((r) => !r.alive).map((r) => r.pid)).toContain(killed!.pid);
    // The channel that was running on the killed worker was sorted anyway (retried on a worker).
    await page.getByTestId('unit-row').first().waitFor({ timeout: 30_000 });
    const channels = await page.getByTestId('unit-row').evaluateAll((rows) => rows.map((r) => r.children[1]?.textContent));
    expect(channels).toContain(`CH${killed!.channel + 1}`);
  });

  it('exports Phy through File > Export Sorted Units and the save dialog', async () => {
    emu.dialog.answer('showSaveDialog', { canceled: false, filePath: exportDir });
    await emu.Menu.click(['File', 'Export Sorted Units', 'Phy folder…']);
    await page.getByTestId('export-result').waitFor({ timeout: 120_000 });
    const call = emu.dialog.calls.at(-1)!;
    expect(call.method).toBe('showSaveDialog');
    expect(call.window).toBe(win);
    for (const f of ['params.py', 'spike_times.npy', 'spike_clusters.npy']) expect(fs.existsSync(path.join(exportDir, f))).toBe(true);
    await page.getByTestId('toast-close').click();
  });

  it('opens a recording through File > Open and the open dialog, then lists it under Open Recent', async () => {
    const edf = path.join(FIXTURES, 'edfplus.edf');
    emu.dialog.answer('showOpenDialog', { canceled: false, filePaths: [edf] });
    await emu.Menu.click(['File', 'Open…']);
    await page.getByTestId('recording-title').filter({ hasText: 'edfplus.edf' }).waitFor({ timeout: 60_000 });
    expect(emu.dialog.calls.at(-1)!.options.properties).toEqual(['openFile']);
    expect(JSON.stringify(emu.Menu.outline())).toContain(edf);
  });

  it('opens a file dropped on the window', async () => {
    const vhdr = path.join(FIXTURES, 'bv_int16_vec.vhdr');
    win.webContents.drop(vhdr);
    await page.getByTestId('recording-title').filter({ hasText: 'bv_int16_vec' }).waitFor({ timeout: 60_000 });
  });

  it('closing the window disposes every utility process, then the app quits with code 0', async () => {
    const pids = emu.utility.filter((r) => r.alive).map((r) => r.pid!);
    expect(pids.length).toBe(2);
    let liveAtQuit = -1;
    emu.app.once('will-quit', () => { liveAtQuit = emu.utility.filter((r) => r.alive).length; });
    await win.close();
    const code = await Promise.race([emu.app.quitted, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('app did not quit')), 30_000))]);
    expect(code).toBe(0);
    // The app's own dispose ended them before quitting (Electron would kill leftovers at exit).
    expect(liveAtQuit).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(emu.errors.list).toEqual([]);
  });
});
