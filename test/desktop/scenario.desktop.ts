// The desktop app as a user meets it, on the built bundle (out/, laid out like the installed app)
// under the Electron API emulation: demo traces in the window, a sort on 2 utility processes with
// per-worker progress and one worker killed mid-run (replaced, its channel retried), Export > Phy
// through the menu and a scripted save dialog, File > Open through a scripted open dialog, a file
// dropped on the window, and closing the window, after which no child process is left. The steps
// are shared with the real-Electron run (scenario-steps.ts); emulation-only checks are added here.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulation } from './emulation/index';
import type { BrowserWindow } from './emulation/window';
import { FIXTURES, WORK, launchApp } from './harness';
import { closeDisposesWorkers, demoShown, dropOpens, exportPhyFromMenu, openFromMenu, sortKillingOneWorker, type DesktopDriver } from './scenario-steps';

describe('desktop app under the Electron emulation', () => {
  let emu: Emulation;
  let win: BrowserWindow;
  let d: DesktopDriver;

  beforeAll(async () => {
    emu = await launchApp('scenario');
    win = await emu.firstWindow(120_000);
    d = {
      page: win.webContents.page!,
      clickMenu: (labels) => emu.Menu.click(labels),
      answerDialog: async (method, answer) => emu.dialog.answer(method, answer),
      workers: async () => emu.utility.filter((r) => r.alive && r.pid).map((r) => ({ pid: r.pid!, name: r.serviceName })),
      dropFile: async (file) => win.webContents.drop(file),
      closeWindow: async () => {
        await win.close();
        return Promise.race([emu.app.quitted, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('app did not quit')), 30_000))]);
      },
    };
  });
  afterAll(async () => { await emu?.dispose(); });

  it('opens one locked-down window that shows the demo traces', async () => {
    const page = d.page;
    await demoShown(page, 240_000);
    expect(win.isVisible()).toBe(true);
    expect(win.webContents.getURL()).toMatch(/\/resources\/app\.asar\/out\/renderer\/index\.html$/);
    // The preload exposes nothing and no Node API reaches the page.
    expect(win.webContents.exposed).toEqual([]);
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    // The preload ran in its own world: nothing of it (nor of the emulation's bridge) is visible here.
    expect(await page.evaluate(() => Object.keys(globalThis).filter((k) => /spikedesk|ipc|electron/i.test(k)))).toEqual([]);
    expect(win.webContents.console.filter((l) => /preload/.test(l))).toEqual([]);
    // Session hardening answers as Chromium would ask.
    expect((await emu.session.headersFor('file:///x'))['Content-Security-Policy']?.[0]).toMatch(/script-src 'self'/);
    expect(await emu.session.requestPermission('media')).toBe(false);
    // A navigation away is stopped by will-navigate.
    await page.evaluate(() => { location.href = 'https://example.org/'; });
    await page.waitForTimeout(300);
    expect(win.webContents.getURL()).toMatch(/index\.html$/);
    expect(Object.keys(emu.Menu.outline()[0] as object)).toEqual(['File']);
    expect(win.webContents.pageErrors).toEqual([]);
    expect(emu.errors.list).toEqual([]);
  });

  it('sorts on 2 utility processes with per-worker progress; a worker killed mid-run is replaced and its channel retried', async () => {
    const killed = await sortKillingOneWorker(d);
    // Its slot holds exactly one replacement (same service name) after it, alive. (An earlier process of
    // that slot may have ended before: starting a run cancels a calibration probe still running, and
    // cancelling a run stops its workers.)
    const slot = emu.utility.find((r) => r.pid === killed.pid)!;
    const sameSlot = emu.utility.filter((r) => r.serviceName === slot.serviceName);
    expect(sameSlot.slice(sameSlot.indexOf(slot)).map((r) => r.alive)).toEqual([false, true]);
    expect(sameSlot.filter((r) => r.alive)).toHaveLength(1);
    expect(slot.exitCode).toBe(137); // SIGKILL
    // The worker processes run with the app's V8 flags (single-threaded GC: no helper threads taking
    // the other worker's core), read from their own command lines.
    const live = emu.utility.filter((x) => x.alive && x.pid && x.serviceName.startsWith('SpikeDesk worker'));
    expect(live).toHaveLength(2);
    for (const r of live) {
      const argv = fs.readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').split('\0');
      expect(argv, r.serviceName).toEqual(expect.arrayContaining(['--no-concurrent-recompilation', '--single-threaded-gc']));
    }
  });

  it('exports Phy through File > Export Sorted Units and the save dialog', async () => {
    await exportPhyFromMenu(d, path.join(WORK, 'exports', 'phy-from-menu'));
    const call = emu.dialog.calls.at(-1)!;
    expect(call.method).toBe('showSaveDialog');
    expect(call.window).toBe(win);
    // The demo was opened by the page, not through the menu: the dialog still starts in its session
    // folder with a name of the recording and the workflow, and Reveal opens that same folder.
    const defaultPath = String(call.options.defaultPath);
    expect(defaultPath).toMatch(/\.spikedesk[\\/]exports[\\/][^\\/]+-sorted-phy$/);
    await d.clickMenu(['File', 'Reveal Session Folder']);
    await expect.poll(() => emu.shell.opened.at(-1)?.target ?? '').toBe(path.dirname(path.dirname(defaultPath)));
  });

  it('opens a recording through File > Open and the open dialog, then lists it under Open Recent', async () => {
    const edf = path.join(FIXTURES, 'edfplus.edf');
    await openFromMenu(d, edf);
    expect(emu.dialog.calls.at(-1)!.options.properties).toEqual(['openFile']);
    expect(JSON.stringify(emu.Menu.outline())).toContain(edf);
  });

  it('opens a file dropped on the window', async () => {
    await dropOpens(d, path.join(FIXTURES, 'bv_int16_vec.vhdr'));
  });

  it('after a renderer reload the new page gets a new port, and menu commands reach it', async () => {
    const page = d.page;
    win.webContents.reload();
    await page.waitForEvent('load');
    await page.getByTestId('recording-title').waitFor({ timeout: 60_000 });
    const edf = path.join(FIXTURES, 'edfplus.edf');
    expect(await page.getByTestId('recording-title').textContent()).not.toContain('edfplus.edf');
    await d.clickMenu(['File', 'Open Recent', edf]);
    await page.getByTestId('recording-title').filter({ hasText: 'edfplus.edf' }).waitFor({ timeout: 60_000 });
    expect(win.webContents.pageErrors).toEqual([]);
  });

  it('closing the window disposes every utility process, then the app quits with code 0', async () => {
    let liveAtQuit = -1;
    emu.app.once('will-quit', () => { liveAtQuit = emu.utility.filter((r) => r.alive).length; });
    await closeDisposesWorkers(d);
    // The app's own dispose ended them before quitting (Electron would kill leftovers at exit).
    expect(liveAtQuit).toBe(0);
    expect(emu.errors.list).toEqual([]);
  });
});
