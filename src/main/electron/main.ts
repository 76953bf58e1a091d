// Electron entry: the desktop host. Builds the same services as the Node hosts with a
// utilityProcess pool, opens one locked-down window and hands the renderer a MessagePort on
// which the backend is exposed over comlink. The only folder that imports 'electron'.

import path from 'node:path';
import { app, BrowserWindow, ipcMain, MessageChannelMain, session, shell } from 'electron';
import { createServices, type Services } from '../compose';
import { exposeBackend } from '../security/facade';
import { UtilityHost } from './utility-host';
import { electronPortEndpoint } from '../../workers/endpoint';
import { installRpcErrorHandler } from '../../shared/rpc';
import { CSP } from '../web/server';
import { installMenu, menuMessage, openPath, type MenuContext } from './menu';
import { isAllowedExternal, navigationAllowed, permissionAllowed } from './hardening';
import type { MenuCommand } from '../../shared/menu';
import { RendererLink } from './renderer-link';

let services: Services | null = null;
let link: RendererLink<Electron.MessagePortMain> | null = null;

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1400, height: 900, minWidth: 1024, minHeight: 700, show: false, title: 'SpikeDesk',
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.cjs'),
      sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, spellcheck: false,
    },
  });
  // Navigation, redirects, frame navigations and new windows are blocked; only the project's own
  // links open in the system browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  win.webContents.on('will-frame-navigate', (e) => {
    if (!navigationAllowed(e.url, win.webContents.getURL())) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const svc = services!;
  link = new RendererLink<Electron.MessagePortMain>({
    channel: () => new MessageChannelMain(),
    expose: (port) => exposeBackend(svc.backend, electronPortEndpoint(port)),
    subscribe: (cb) => svc.onEvent(cb),
  });
  const own = link;
  // Every load (the first, a reload) gets a fresh port; the previous one is closed and unsubscribed.
  win.webContents.on('did-finish-load', () => {
    const port2 = own.connect();
    win.webContents.postMessage('spikedesk:port', null, [port2]);
  });
  win.once('closed', () => own.close());
  win.once('ready-to-show', () => win.show());
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await win.loadFile(path.join(__dirname, '../renderer/index.html'));
}

// One instance: a second launch hands its file to the first (one curator per session, too).
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();
let menuCtx: MenuContext | null = null;
app.on('second-instance', (_e, argv) => {
  const win = BrowserWindow.getAllWindows()[0];
  if (win) { if (win.isMinimized()) win.restore(); win.focus(); }
  const file = argv.slice(1).find((a) => !a.startsWith('-') && path.resolve(a) !== app.getAppPath());
  if (file && menuCtx) openPath(menuCtx, path.resolve(file));
});
// No <webview> may be attached to any of our contents.
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

if (primary) app.whenReady().then(async () => {
  installRpcErrorHandler();
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, perm, cb) => cb(permissionAllowed(perm)));
  session.defaultSession.setPermissionCheckHandler((_wc, perm) => permissionAllowed(perm));
  // A file given on the command line is one the user chose: the renderer's first open gets it
  // (the backend's start file) instead of the demo, with no timing between two opens.
  // Unpackaged, the app folder is on the command line too, and not always at argv[1] (launchers such
  // as Playwright's put switches first): skip it by path, not by position.
  const fromArgs = process.argv.slice(1).find((a) => !a.startsWith('-') && path.resolve(a) !== app.getAppPath());
  const startFile = fromArgs ? path.resolve(fromArgs) : undefined;
  services = await createServices({
    host: 'electron',
    processHost: new UtilityHost(),
    workerEntry: path.join(__dirname, 'worker.cjs'),
    demoDir: path.join(app.getPath('userData'), 'demo'),
    settingsDir: app.getPath('userData'),
    startFile,
  });
  const recent = services.recent;
  if (startFile) { services.allow.allowFile(startFile); recent.add(startFile); }
  const menu: MenuContext = {
    services, recent,
    // The backend's open recording, whichever way it was opened.
    session: () => services!.backend.sessionInfo(),
    send: (cmd: MenuCommand) => link?.send(menuMessage(cmd)),
  };
  menuCtx = menu;
  installMenu(menu);
  // Drag-and-drop: the preload reports the dropped file's path; only our own window may send it.
  ipcMain.on('spikedesk:dropped', (e, p: unknown) => {
    if (typeof p !== 'string' || !BrowserWindow.fromWebContents(e.sender)) return;
    openPath(menu, p);
  });
  await createWindow();
});

// Services are disposed once (worker processes stopped, session locks released) on every way out:
// closing the last window emits 'window-all-closed'; menu Quit, Cmd+Q and app.quit() close the
// windows without it (Electron's documented order), so 'will-quit' is held until dispose is done.
let disposing: Promise<void> | null = null;
let disposed = false;
function disposeServices(): Promise<void> {
  disposing ??= (async () => {
    link?.close();
    try { await services?.dispose(); } finally { disposed = true; }
  })();
  return disposing;
}

app.on('window-all-closed', async () => {
  await disposeServices().catch(() => undefined);
  app.quit();
});

app.on('will-quit', (e) => {
  if (disposed || !services) return;
  e.preventDefault();
  void disposeServices().catch(() => undefined).then(() => app.quit());
});
