// Electron entry: the desktop host. Builds the same services as the Node hosts with a
// utilityProcess pool, opens one locked-down window and hands the renderer a MessagePort on
// which the backend is exposed over comlink. The only folder that imports 'electron'.

import path from 'node:path';
import { app, BrowserWindow, MessageChannelMain, session, shell } from 'electron';
import { expose } from 'comlink';
import { createServices, type Services } from '../compose';
import { UtilityHost } from './utility-host';
import { electronPortEndpoint } from '../../workers/endpoint';
import { installRpcErrorHandler } from '../../shared/rpc';
import { CSP } from '../web/server';
import type { EventMessage } from '../../shared/api';
import { installMenu } from './menu';

let services: Services | null = null;

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1400, height: 900, minWidth: 1024, minHeight: 700, show: false, title: 'SpikeDesk',
    webPreferences: {
      preload: path.join(__dirname, '../preload/index.cjs'),
      sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, spellcheck: false,
    },
  });
  // Navigation and new windows are blocked; links open in the system browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('did-finish-load', () => {
    const { port1, port2 } = new MessageChannelMain();
    expose(services!.backend, electronPortEndpoint(port1));
    const off = services!.onEvent((e) => port1.postMessage({ spikedeskEvent: e } satisfies EventMessage));
    win.once('closed', off);
    port1.start();
    win.webContents.postMessage('spikedesk:port', null, [port2]);
  });
  win.once('ready-to-show', () => win.show());
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await win.loadFile(path.join(__dirname, '../renderer/index.html'));
}

app.whenReady().then(async () => {
  installRpcErrorHandler();
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  services = await createServices({
    host: 'electron',
    processHost: new UtilityHost(),
    workerEntry: path.join(__dirname, 'worker.cjs'),
    demoDir: path.join(app.getPath('userData'), 'demo'),
  });
  // A file given on the command line is one the user chose.
  for (const a of process.argv.slice(app.isPackaged ? 1 : 2)) if (!a.startsWith('-')) services.allow.allowFile(a);
  installMenu(services);
  await createWindow();
});

app.on('window-all-closed', async () => {
  await services?.dispose();
  app.quit();
});
