// Electron API emulation for tests (never shipped): stands in for require('electron') so the
// built out/main bundle runs on Node, its renderer in headless Chromium and its utility
// processes as Node child processes. One emulated app per test process at a time.
//
//   const emu = await createEmulation({ userData, stage: stageApp(ROOT, dir) });
//   await emu.start();                       // requires out/main/index.cjs, then emits 'ready'
//   const win = await emu.firstWindow();     // BrowserWindow; win.webContents.page is Playwright's
//   await emu.Menu.click(['File', 'Open…']); // after emu.dialog.answer('showOpenDialog', ...)
import Module, { createRequire } from 'node:module';

const requireCache = createRequire(import.meta.url).cache;
import { App, Dialog, IpcMain, Menu, MenuItem, Session, Shell } from './app';
import { mainErrors } from './emitter';
import { MessageChannelMain, MessagePortMain } from './ports';
import { utilityProcess, utilityRecords } from './utility';
import { BrowserWindow, closeBrowser, openWindows, setBrowserHooks } from './window';
import type { StagedApp } from './stage';

export { stageApp, type StagedApp } from './stage';
export { MessageChannelMain, MessagePortMain, BrowserWindow, Menu, utilityRecords, mainErrors };

export interface EmulationOptions {
  stage: StagedApp;
  userData: string;
  /** Command line after the executable (a packaged app sees [exe, ...args]). */
  args?: string[];
  chromiumPath?: string;
}

export interface Emulation {
  /** The object require('electron') returns. */
  electron: Record<string, unknown>;
  app: App;
  dialog: Dialog;
  shell: Shell;
  session: Session;
  ipcMain: IpcMain;
  Menu: typeof Menu;
  errors: typeof mainErrors;
  utility: typeof utilityRecords;
  start(): Promise<void>;
  firstWindow(timeoutMs?: number): Promise<BrowserWindow>;
  dispose(): Promise<void>;
}

type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;
const M = Module as unknown as { _load: LoadFn };

export async function createEmulation(opts: EmulationOptions): Promise<Emulation> {
  mainErrors.list.length = 0;
  utilityRecords.length = 0;
  Menu.applicationMenu = null;
  const app = new App({ appPath: opts.stage.appPath, userData: opts.userData, isPackaged: true });
  const ipcMain = new IpcMain();
  const dialog = new Dialog();
  const shell = new Shell();
  const defaultSession = new Session();
  const electron: Record<string, unknown> = {
    app, ipcMain, dialog, shell, Menu, MenuItem, BrowserWindow, MessageChannelMain, utilityProcess,
    session: { defaultSession, fromPartition: () => defaultSession },
    webContents: { getAllWebContents: () => openWindows().map((w) => w.webContents), fromId: (id: number) => BrowserWindow.fromId(id)?.webContents ?? null },
    nativeTheme: { shouldUseDarkColors: false, themeSource: 'system', on: () => undefined },
  };
  setBrowserHooks({
    chromiumPath: opts.chromiumPath ?? '/usr/bin/chromium',
    ipcEmit: (ch, event, args) => ipcMain.fire(ch, event, ...args),
    ipcInvoke: (ch, event, args) => ipcMain.invoke(ch, event, args),
    allClosed: () => app.allWindowsClosed(),
  });
  Menu.onRole = (role, win) => {
    if (role === 'quit') app.quit();
    else if (role === 'reload' || role === 'forceReload') win?.webContents.reload();
    else if (role === 'toggleDevTools') win?.webContents.toggleDevTools();
    else if (role === 'close') void win?.close();
  };

  const savedArgv = process.argv;
  const savedResources = (process as { resourcesPath?: string }).resourcesPath;
  const savedLoad = M._load;
  const savedEnv = { ELECTRON_RENDERER_URL: process.env.ELECTRON_RENDERER_URL, SPIKEDESK_SMOKE: process.env.SPIKEDESK_SMOKE };
  let installed = false;
  const install = () => {
    installed = true;
    M._load = function (request, parent, isMain) {
      if (request === 'electron' || request === 'electron/main') return electron;
      return savedLoad.call(this, request, parent, isMain);
    };
    process.argv = [opts.stage.executable, ...(opts.args ?? [])];
    (process as { resourcesPath?: string }).resourcesPath = opts.stage.resourcesPath;
    delete process.env.ELECTRON_RENDERER_URL;
    delete process.env.SPIKEDESK_SMOKE;
  };

  const emu: Emulation = {
    electron, app, dialog, shell, session: defaultSession, ipcMain, Menu, errors: mainErrors, utility: utilityRecords,
    async start() {
      install();
      // Electron loads package.json "main" from the app folder.
      const req = createRequire(opts.stage.mainPath);
      req(opts.stage.mainPath);
      await new Promise((r) => setImmediate(r));
      app.emitReady();
    },
    firstWindow(timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          const w = openWindows()[0];
          if (w) return void w.webContents.ready.then(() => resolve(w), reject);
          if (mainErrors.list.length) return reject(new Error(`no window; main-process error: ${mainErrors.list[0].message}`));
          if (Date.now() - t0 > timeoutMs) return reject(new Error('no window opened'));
          setTimeout(tick, 50);
        };
        tick();
      });
    },
    async dispose() {
      if (app.exitCode === null) app.exit(0);
      for (const r of utilityRecords) if (r.alive) r.proc.kill();
      await closeBrowser();
      if (installed) {
        M._load = savedLoad;
        process.argv = savedArgv;
        (process as { resourcesPath?: string }).resourcesPath = savedResources;
        for (const [k, v] of Object.entries(savedEnv)) if (v !== undefined) process.env[k] = v;
      }
      for (const k of Object.keys(requireCache)) if (k.startsWith(opts.stage.root)) delete requireCache[k];
    },
  };
  return emu;
}
