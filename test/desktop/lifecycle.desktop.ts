// The desktop shell's lifecycle on the built app under the Electron emulation: a file named on the
// command line is what the window opens (no demo, no timer racing the renderer's first open);
// reloads replace the renderer's backend connection instead of adding one (each old port closed);
// menu commands still reach the reloaded page; File > Quit disposes the services (no utility
// process left when the app quits), which Electron's quit path skips unless the app handles it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulation } from './emulation/index';
import { MessageChannelMain } from './emulation/ports';
import type { BrowserWindow } from './emulation/window';
import { FIXTURES, launchApp } from './harness';

describe('desktop lifecycle: start file, reloads, menu Quit', () => {
  let emu: Emulation;
  let win: BrowserWindow;
  const edf = path.join(FIXTURES, 'edfplus.edf');
  const vhdr = path.join(FIXTURES, 'bv_int16_vec.vhdr');
  /** One record per MessageChannelMain main creates: was its main-side port closed? */
  const channels: { closed: boolean }[] = [];

  beforeAll(async () => {
    emu = await launchApp('lifecycle', [], [edf], (e) => {
      class RecordingChannel extends MessageChannelMain {
        constructor() {
          super();
          const rec = { closed: false };
          channels.push(rec);
          const close = this.port1.close.bind(this.port1);
          this.port1.close = () => { rec.closed = true; close(); };
        }
      }
      e.electron.MessageChannelMain = RecordingChannel;
    });
    win = await emu.firstWindow(120_000);
  });
  afterAll(async () => { await emu?.dispose(); });

  it('opens the file named on the command line, not the demo', async () => {
    const page = win.webContents.page!;
    await page.getByTestId('recording-title').filter({ hasText: 'edfplus.edf' }).waitFor({ timeout: 60_000 });
    expect(channels).toEqual([{ closed: false }]);
  });

  it('three reloads leave one open connection (the old ports are closed) and menu commands reach the page', async () => {
    const page = win.webContents.page!;
    for (let i = 0; i < 3; i++) {
      const loaded = page.waitForEvent('load');
      win.webContents.reload();
      await loaded;
      await page.getByTestId('recording-title').filter({ hasText: 'edfplus.edf' }).waitFor({ timeout: 60_000 });
    }
    expect(channels.map((c) => c.closed)).toEqual([true, true, true, false]);
    await emu.dialog.answer('showOpenDialog', { canceled: false, filePaths: [vhdr] });
    await emu.Menu.click(['File', 'Open…']);
    await page.getByTestId('recording-title').filter({ hasText: 'bv_int16_vec' }).waitFor({ timeout: 60_000 });
    expect(win.webContents.pageErrors).toEqual([]);
  });

  it('File > Quit disposes the services before the app quits: no utility process left, exit code 0', async () => {
    expect(emu.utility.filter((r) => r.alive).length).toBeGreaterThan(0);
    let liveAtQuit = -1;
    // 'quit' is the last event before the process would exit (Electron kills leftovers only then).
    emu.app.once('quit', () => { liveAtQuit = emu.utility.filter((r) => r.alive).length; });
    await emu.Menu.click(['File', 'Quit']);
    const code = await Promise.race([emu.app.quitted, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('app did not quit')), 30_000))]);
    expect(code).toBe(0);
    expect(liveAtQuit).toBe(0);
    expect(channels.every((c) => c.closed)).toBe(true);
    expect(emu.errors.list).toEqual([]);
  });
});
