// The desktop scenario must fail when the wiring is broken. Each case copies the built app with
// one string changed in out/main/index.cjs (the copy must contain it exactly once) and expects the
// user's first step (the demo traces in the window) to fail, with the symptom Electron would show.
// A control run of the unbroken copy passes the same step first (and leaves the demo generated,
// so the broken runs are timed against a healthy start of a few seconds).
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulation } from './emulation/index';
import { alive, demoShown, launchApp } from './harness';

const FAIL_WITHIN = 30_000;

describe('the desktop scenario catches broken wiring', () => {
  let emu: Emulation | null = null;
  afterEach(async () => {
    const pids = emu?.utility.map((r) => r.pid).filter((p): p is number => !!p) ?? [];
    await emu?.dispose();
    emu = null;
    await new Promise((r) => setTimeout(r, 200));
    for (const p of pids) expect(alive(p)).toBe(false);
  });

  it('control: the unbroken copy shows the demo traces', async () => {
    emu = await launchApp('control');
    const win = await emu.firstWindow(120_000);
    await demoShown(win.webContents.page!, 240_000);
    expect(emu.errors.list).toEqual([]);
  });

  it('a wrong preload path: Electron logs "Unable to load preload script" and the page never gets its port', async () => {
    emu = await launchApp('broken-preload', [{ file: 'out/main/index.cjs', from: '"../preload/index.cjs"', to: '"../preload/index.js"' }]);
    const win = await emu.firstWindow(60_000);
    await expect(demoShown(win.webContents.page!, FAIL_WITHIN)).rejects.toThrow(/Timeout/);
    expect(win.webContents.console.join('\n')).toMatch(/Unable to load preload script: .*app\.asar\/out\/preload\/index\.js/);
  });

  it('a wrong worker entry: the utility process dies at start-up, the app reports it and opens no window', async () => {
    emu = await launchApp('broken-worker', [{ file: 'out/main/index.cjs', from: '"worker.cjs"', to: '"worker.js"' }]);
    await expect(emu.firstWindow(FAIL_WITHIN)).rejects.toThrow(/exited during start-up/);
    expect(emu.utility.length).toBeGreaterThan(0);
    expect(emu.utility.every((r) => !r.alive && r.exitCode !== 0)).toBe(true);
  });

  it('a broken port handshake: the window loads but the renderer never connects', async () => {
    emu = await launchApp('broken-handshake', [{ file: 'out/main/index.cjs', from: '"spikedesk:port"', to: '"spikedesk:port-renamed"' }]);
    const win = await emu.firstWindow(60_000);
    await expect(demoShown(win.webContents.page!, FAIL_WITHIN)).rejects.toThrow(/Timeout/);
    expect(win.webContents.pageErrors).toEqual([]);
    expect(emu.errors.list).toEqual([]);
  });
});
