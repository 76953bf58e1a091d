// app, ipcMain, dialog, Menu, shell, session: the main-process modules of the emulation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmuEmitter, mainErrors, preventable } from './emitter';
import { BrowserWindow, openWindows } from './window';
import { utilityRecords } from './utility';

export interface AppConfig {
  /** The app folder (resources/app.asar in a packaged app). */
  appPath: string;
  userData: string;
  isPackaged: boolean;
}

/** Single-instance locks held in this process, by userData folder (Electron locks per userData). */
const instanceLocks = new Map<string, App>();

export class App extends EmuEmitter {
  private readyFlag = false;
  private readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private paths: Record<string, string>;
  private quitting = false;
  exitCode: number | null = null;
  readonly quitted: Promise<number>;
  private resolveQuit!: (code: number) => void;
  readonly switches: [string, string | undefined][] = [];
  readonly commandLine = {
    appendSwitch: (s: string, v?: string) => { this.switches.push([s, v]); },
    hasSwitch: (s: string) => this.switches.some(([k]) => k === s),
    getSwitchValue: (s: string) => this.switches.find(([k]) => k === s)?.[1] ?? '',
  };

  constructor(private cfg: AppConfig) {
    super('app');
    this.readyPromise = new Promise((r) => { this.resolveReady = r; });
    this.quitted = new Promise((r) => { this.resolveQuit = r; });
    const home = os.homedir();
    this.paths = {
      home, appData: path.dirname(cfg.userData), userData: cfg.userData, sessionData: cfg.userData,
      temp: os.tmpdir(), exe: process.execPath, module: process.execPath,
      documents: path.join(cfg.userData, 'Documents'), downloads: path.join(cfg.userData, 'Downloads'),
      desktop: path.join(cfg.userData, 'Desktop'), music: home, pictures: home, videos: home,
      logs: path.join(cfg.userData, 'logs'), crashDumps: path.join(cfg.userData, 'Crashpad'),
    };
  }

  get isPackaged(): boolean { return this.cfg.isPackaged; }
  getAppPath(): string { return this.cfg.appPath; }
  getPath(name: string): string {
    const p = this.paths[name];
    if (!p) throw new Error(`Failed to get '${name}' path`);
    return p;
  }
  setPath(name: string, p: string): void { this.paths[name] = p; }
  getName(): string { return this.pkg().productName ?? this.pkg().name ?? 'Electron'; }
  getVersion(): string { return this.pkg().version ?? '0.0.0'; }
  getLocale(): string { return 'en-US'; }
  setAppUserModelId(): void { /* Windows only */ }
  enableSandbox(): void { this.switches.push(['enable-sandbox', undefined]); }
  focus(): void { /* no window manager */ }
  private pkg(): { name?: string; productName?: string; version?: string } {
    return JSON.parse(fs.readFileSync(path.join(this.cfg.appPath, 'package.json'), 'utf8'));
  }

  isReady(): boolean { return this.readyFlag; }
  /**
   * The app's `.then(...)` on this promise is its start-up code: a rejection there is an uncaught
   * main-process error in Electron (error dialog), recorded instead of failing the test runner.
   */
  whenReady(): Promise<void> {
    const base = this.readyPromise;
    class MainPromise<T> extends Promise<T> {
      static override get [Symbol.species]() { return Promise; }
    }
    const p = new MainPromise<void>((r) => { base.then(r); });
    const then = p.then.bind(p);
    (p as { then: unknown }).then = (a?: (v: void) => unknown, b?: (e: unknown) => unknown) => {
      const next = then(a, b);
      next.catch((e: unknown) => mainErrors.add(e, 'app.whenReady().then'));
      return next;
    };
    return p;
  }

  /** Test control: Electron has initialized. */
  emitReady(): void {
    this.readyFlag = true;
    this.fire('will-finish-launching');
    this.resolveReady();
    this.fire('ready', preventable(), {});
  }

  requestSingleInstanceLock(data?: unknown): boolean {
    const holder = instanceLocks.get(this.cfg.userData);
    if (holder && holder !== this) {
      holder.fire('second-instance', preventable(), process.argv, process.cwd(), data);
      return false;
    }
    instanceLocks.set(this.cfg.userData, this);
    return true;
  }
  hasSingleInstanceLock(): boolean { return instanceLocks.get(this.cfg.userData) === this; }
  releaseSingleInstanceLock(): void { if (this.hasSingleInstanceLock()) instanceLocks.delete(this.cfg.userData); }

  /** Electron: before-quit, close every window (no 'window-all-closed' then), will-quit, quit. */
  quit(): void {
    if (this.quitting) return;
    const ev = preventable();
    this.fire('before-quit', ev);
    if (ev.defaultPrevented) return;
    this.quitting = true;
    void (async () => {
      for (const w of openWindows()) {
        await w.close();
        if (!w.isDestroyed()) { this.quitting = false; return; } // a window refused to close
      }
      const wq = preventable();
      this.fire('will-quit', wq);
      if (wq.defaultPrevented) { this.quitting = false; return; }
      this.finish(0);
    })();
  }

  exit(code = 0): void {
    for (const w of openWindows()) void w.destroy();
    this.finish(code);
  }

  private finish(code: number): void {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    this.fire('quit', preventable(), code);
    this.releaseSingleInstanceLock();
    // Electron takes its utility processes down with the main process.
    for (const r of utilityRecords) if (r.alive) r.proc.kill();
    this.resolveQuit(code);
  }

  /** Electron quits when the last window closes, unless the app listens to window-all-closed. */
  allWindowsClosed(): void {
    if (this.quitting) return;
    if (this.listenerCount('window-all-closed') > 0) this.fire('window-all-closed');
    else this.quit();
  }
}

export class IpcMain extends EmuEmitter {
  private handlers = new Map<string, (e: object, ...a: unknown[]) => unknown>();
  constructor() { super('ipcMain'); }
  handle(ch: string, fn: (e: object, ...a: unknown[]) => unknown): void {
    if (this.handlers.has(ch)) throw new Error(`Attempted to register a second handler for '${ch}'`);
    this.handlers.set(ch, fn);
  }
  handleOnce(ch: string, fn: (e: object, ...a: unknown[]) => unknown): void {
    this.handle(ch, (e, ...a) => { this.handlers.delete(ch); return fn(e, ...a); });
  }
  removeHandler(ch: string): void { this.handlers.delete(ch); }
  async invoke(ch: string, e: object, args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(ch);
    if (!h) throw new Error(`No handler registered for '${ch}'`);
    return h(e, ...args);
  }
}

type DialogMethod = 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox' | 'showErrorBox';

/** Native dialogs answer from a script the test writes; an unscripted dialog is a test error. */
export class Dialog {
  readonly calls: { method: DialogMethod; window: BrowserWindow | null; options: Record<string, unknown> }[] = [];
  private script: { method: DialogMethod; answer: unknown }[] = [];

  /** Queue the answer the next dialog of this kind gives. */
  answer(method: DialogMethod, answer: unknown): void { this.script.push({ method, answer }); }

  private take(method: DialogMethod, args: unknown[]): unknown {
    const [win, options] = args[0] instanceof BrowserWindow ? [args[0], args[1]] : [null, args[0]];
    this.calls.push({ method, window: win, options: (options ?? {}) as Record<string, unknown> });
    const i = this.script.findIndex((s) => s.method === method);
    if (i < 0) {
      const e = new Error(`emulation: unscripted dialog.${method}(${JSON.stringify(options)})`);
      mainErrors.add(e, 'dialog');
      throw e;
    }
    return this.script.splice(i, 1)[0].answer;
  }

  showOpenDialog = async (...a: unknown[]) => this.take('showOpenDialog', a);
  showSaveDialog = async (...a: unknown[]) => this.take('showSaveDialog', a);
  showMessageBox = async (...a: unknown[]) => this.take('showMessageBox', a);
  showOpenDialogSync = (...a: unknown[]) => (this.take('showOpenDialog', a) as { filePaths?: string[] }).filePaths;
  showSaveDialogSync = (...a: unknown[]) => (this.take('showSaveDialog', a) as { filePath?: string }).filePath;
  showMessageBoxSync = (...a: unknown[]) => (this.take('showMessageBox', a) as { response?: number }).response;
  showErrorBox = (title: string, content: string) => { this.calls.push({ method: 'showErrorBox', window: null, options: { title, content } }); };
}

export interface MenuItemOptions {
  label?: string; role?: string; type?: string; accelerator?: string; enabled?: boolean; visible?: boolean;
  click?: (item: MenuItem, win: BrowserWindow | null, ev: object) => unknown; submenu?: MenuItemOptions[] | Menu; id?: string;
}

const ROLE_LABELS: Record<string, string> = {
  quit: 'Quit', reload: 'Reload', forceReload: 'Force Reload', toggleDevTools: 'Toggle Developer Tools', togglefullscreen: 'Toggle Full Screen',
  cut: 'Cut', copy: 'Copy', paste: 'Paste', selectAll: 'Select All', undo: 'Undo', redo: 'Redo', close: 'Close', minimize: 'Minimize',
  about: 'About', resetZoom: 'Actual Size', zoomIn: 'Zoom In', zoomOut: 'Zoom Out', fileMenu: 'File', editMenu: 'Edit', viewMenu: 'View', windowMenu: 'Window',
};

export class MenuItem {
  label: string; role?: string; type: string; accelerator?: string; enabled: boolean; visible: boolean; id?: string;
  submenu: Menu | null; click: MenuItemOptions['click'];
  constructor(o: MenuItemOptions) {
    this.role = o.role;
    this.label = o.label ?? (o.role ? ROLE_LABELS[o.role] ?? o.role : '');
    this.type = o.type ?? (o.submenu ? 'submenu' : 'normal');
    this.accelerator = o.accelerator;
    this.enabled = o.enabled ?? true;
    this.visible = o.visible ?? true;
    this.id = o.id;
    this.submenu = o.submenu ? (o.submenu instanceof Menu ? o.submenu : Menu.buildFromTemplate(o.submenu)) : null;
    this.click = o.click;
  }
}

export class Menu {
  readonly items: MenuItem[] = [];
  static applicationMenu: Menu | null = null;
  static onRole: (role: string, win: BrowserWindow | null) => void = () => undefined;
  static buildFromTemplate(t: MenuItemOptions[]): Menu {
    if (!Array.isArray(t)) throw new TypeError('Invalid template for Menu: Menu template must be an array');
    const m = new Menu();
    for (const o of t) m.items.push(new MenuItem(o));
    return m;
  }
  static setApplicationMenu(m: Menu | null): void { Menu.applicationMenu = m; }
  static getApplicationMenu(): Menu | null { return Menu.applicationMenu; }
  append(i: MenuItem): void { this.items.push(i); }
  popup(): void { /* context menus are not emulated */ }
  getMenuItemById(id: string): MenuItem | null {
    for (const i of this.items) { if (i.id === id) return i; const s = i.submenu?.getMenuItemById(id); if (s) return s; }
    return null;
  }

  /** Labels of the application menu, nested, for tests. */
  static outline(m: Menu | null = Menu.applicationMenu): unknown[] {
    return (m?.items ?? []).filter((i) => i.type !== 'separator').map((i) => (i.submenu ? { [i.label]: Menu.outline(i.submenu) } : i.label));
  }

  /** Test control: click File > Export… by labels; awaits an async click handler. */
  static async click(labels: string[]): Promise<void> {
    let menu = Menu.applicationMenu;
    let item: MenuItem | undefined;
    for (const l of labels) {
      item = menu?.items.find((i) => i.label === l);
      if (!item) throw new Error(`menu item '${l}' not found in ${JSON.stringify(Menu.outline(menu))}`);
      if (!item.enabled) throw new Error(`menu item '${l}' is disabled`);
      menu = item.submenu;
    }
    const win = BrowserWindow.getFocusedWindow();
    if (item!.click) {
      try { await item!.click(item!, win, { triggeredByAccelerator: false }); } catch (e) { mainErrors.add(e, `menu '${labels.join(' > ')}'`); }
    } else if (item!.role) Menu.onRole(item!.role, win);
  }
}

export class Shell {
  readonly opened: { kind: string; target: string }[] = [];
  openExternal = async (url: string) => { this.opened.push({ kind: 'external', target: url }); };
  openPath = async (p: string) => { this.opened.push({ kind: 'path', target: p }); return ''; };
  showItemInFolder = (p: string) => { this.opened.push({ kind: 'folder', target: p }); };
  beep = () => undefined;
}

type HeadersListener = (d: { url: string; responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]>; cancel?: boolean }) => void) => void;

/** session.defaultSession: handlers are recorded; tests call them as Chromium would. */
export class Session {
  headersListener: HeadersListener | null = null;
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void, details: object) => void) | null = null;
  permissionCheckHandler: ((wc: unknown, permission: string, origin: string, details: object) => boolean) | null = null;
  readonly webRequest = {
    onHeadersReceived: (a: HeadersListener | object | null, b?: HeadersListener) => { this.headersListener = (typeof a === 'function' ? a as HeadersListener : b) ?? null; },
    onBeforeRequest: () => undefined,
  };
  setPermissionRequestHandler(h: Session['permissionRequestHandler']): void { this.permissionRequestHandler = h; }
  setPermissionCheckHandler(h: Session['permissionCheckHandler']): void { this.permissionCheckHandler = h; }
  setDevicePermissionHandler(): void { /* recorded as a no-op */ }

  /** Test control: what a permission request gets. */
  requestPermission(permission: string): Promise<boolean> {
    if (!this.permissionRequestHandler) return Promise.resolve(true); // Electron grants by default
    return new Promise((r) => this.permissionRequestHandler!(null, permission, r, { requestingUrl: 'file:///' }));
  }
  /** Test control: the headers a response gets after onHeadersReceived. */
  headersFor(url: string, headers: Record<string, string[]> = {}): Promise<Record<string, string[]>> {
    if (!this.headersListener) return Promise.resolve(headers);
    return new Promise((r) => this.headersListener!({ url, responseHeaders: headers }, (res) => r(res.responseHeaders ?? headers)));
  }
}
