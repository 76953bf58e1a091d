// BrowserWindow and webContents on headless Chromium (playwright-core). The built renderer loads
// from file:// like Electron's loadFile; the preload runs sandboxed in an isolated world through
// CDP (Page.addScriptToEvaluateOnNewDocument with a worldName, so it runs before the page's
// scripts); ports passed to webContents.postMessage are bridged: the page gets a real DOM
// MessagePort whose messages cross to the main-side MessagePortMain through a CDP binding.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { EmuEmitter, mainErrors, preventable } from './emitter';
import { checkTransfer, type Entangled, type MessagePortMain } from './ports';

const require = createRequire(import.meta.url);
const { makeCodec, nodeCodec } = require('./codec.cjs') as { makeCodec: (...a: unknown[]) => unknown; nodeCodec: () => Codec };
const { worldMain } = require('./page-world.cjs') as { worldMain: (...a: unknown[]) => unknown };
interface Codec { encode(v: unknown): unknown; decode(v: unknown): unknown }
const codec = nodeCodec();

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
  // Electron lets a file:// page load its module scripts from file://; plain Chromium needs this.
  '--allow-file-access-from-files'];
const WORLD = 'electron-isolated-world';
const BINDING = '__spikedeskEmuSend';

export interface BrowserHooks {
  chromiumPath: string;
  ipcEmit(channel: string, event: object, args: unknown[]): void;
  ipcInvoke(channel: string, event: object, args: unknown[]): Promise<unknown>;
  allClosed(): void;
}

let hooks: BrowserHooks | null = null;
let browser: Promise<Browser> | null = null;
let context: Promise<BrowserContext> | null = null;
const windows: BrowserWindow[] = [];
let nextId = 1;
let nextPortId = 1;

export function setBrowserHooks(h: BrowserHooks): void { hooks = h; }

async function getContext(): Promise<BrowserContext> {
  browser ??= chromium.launch({ executablePath: hooks!.chromiumPath, args: CHROMIUM_FLAGS, headless: true });
  context ??= browser.then((b) => b.newContext({ viewport: null }));
  return context;
}

export async function closeBrowser(): Promise<void> {
  const b = browser;
  browser = null;
  context = null;
  windows.length = 0;
  if (b) await (await b).close().catch(() => undefined);
}

/** A main-side port that now lives in the page: messages go through the bridge. */
class PagePort implements Entangled {
  other: Entangled | null = null;
  constructor(readonly id: number, private wc: WebContents) {}
  setOther(o: Entangled | null): void { this.other = o; }
  receive(data: unknown, ports: MessagePortMain[]): void {
    if (ports.length) { mainErrors.add(new Error('emulation: ports inside port messages to a page are not emulated'), 'webContents'); return; }
    this.wc.deliver({ k: 'port', id: this.id, data: codec.encode(data) });
  }
  remoteClosed(): void { this.wc.deliver({ k: 'port-close', id: this.id }); this.wc.pagePorts.delete(this.id); }
  /** The document holding the page end is gone. */
  pageGone(): void { const o = this.other; this.other = null; o?.remoteClosed(); }
}

interface WebPreferences { preload?: string; sandbox?: boolean; contextIsolation?: boolean; nodeIntegration?: boolean }

export class WebContents extends EmuEmitter {
  readonly id: number;
  page: Page | null = null;
  private cdp: CDPSession | null = null;
  private scriptId: string | null = null;
  private worldCtx: number | null = null;
  private worldWaiters: ((id: number) => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private openHandler: ((d: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  private destroyed = false;
  readonly pagePorts = new Map<number, PagePort>();
  readonly console: string[] = [];
  readonly pageErrors: string[] = [];
  readonly exposed: { key: string; value: unknown }[] = [];
  readonly opened: { url: string; action: string }[] = [];
  ready: Promise<void>;

  constructor(readonly owner: BrowserWindow, readonly prefs: WebPreferences) {
    super('webContents');
    this.id = owner.id;
    this.ready = this.init();
  }

  private async init(): Promise<void> {
    const ctx = await getContext();
    const page = await ctx.newPage();
    this.page = page;
    await page.setViewportSize({ width: this.owner.bounds.width, height: this.owner.bounds.height });
    const cdp = await ctx.newCDPSession(page);
    this.cdp = cdp;
    const frameTree = await cdp.send('Page.getFrameTree');
    const mainFrame = frameTree.frameTree.frame.id;
    cdp.on('Runtime.executionContextCreated', ({ context: c }) => {
      const aux = c.auxData as { frameId?: string } | undefined;
      if (c.name === WORLD && aux?.frameId === mainFrame) {
        this.worldCtx = c.id;
        for (const w of this.worldWaiters.splice(0)) w(c.id);
      }
    });
    cdp.on('Runtime.executionContextsCleared', () => { this.worldCtx = null; });
    cdp.on('Runtime.bindingCalled', (e) => { if (e.name === BINDING) this.fromPage(JSON.parse(e.payload)); });
    await cdp.send('Runtime.enable');
    await cdp.send('Page.enable');
    await cdp.send('Runtime.addBinding', { name: BINDING, executionContextName: WORLD });
    page.on('console', (m) => { this.console.push(`${m.type()}: ${m.text()}`); this.fire('console-message', { level: m.type(), message: m.text() }); });
    page.on('pageerror', (e) => this.pageErrors.push(e.message));
    page.on('crash', () => this.fire('render-process-gone', {}, { reason: 'crashed', exitCode: -1 }));
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) this.documentGone(); });
    page.on('domcontentloaded', () => { this.fire('dom-ready'); this.owner.firstPaint(); });
    page.on('load', () => this.fire('did-finish-load'));
    page.on('popup', (p) => void this.popup(p));
    // Navigation guard: a main-frame navigation to a network URL asks will-navigate first.
    await page.route(/^https?:/, async (route) => {
      const req = route.request();
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
        const ev = preventable({ url: req.url() });
        this.fire('will-navigate', ev, req.url());
        if (ev.defaultPrevented) return route.abort('aborted');
      }
      return route.continue();
    });
  }

  /** The renderer document went away (navigation, reload, close): its bridged ports close. */
  private documentGone(): void {
    for (const p of this.pagePorts.values()) p.pageGone();
    this.pagePorts.clear();
  }

  private async popup(p: Page): Promise<void> {
    const url = p.url();
    const res = this.openHandler ? this.openHandler({ url }) : { action: 'allow' as const };
    this.opened.push({ url, action: res.action });
    if (res.action === 'deny') await p.close().catch(() => undefined);
  }

  /** Install the preload for the next document (Electron reads the preload file at each load). */
  async installPreload(): Promise<void> {
    const preload = this.prefs.preload;
    let body: string;
    const cfg = JSON.stringify({ binding: BINDING, preloadPath: preload ?? '', platform: process.platform, versions: { electron: 'emulated', node: process.versions.node } });
    const world = `(${worldMain.toString()})(${cfg}, ${makeCodec.toString()});`;
    if (!preload) body = '';
    else {
      let src: string | null = null;
      let err: string | null = null;
      try { src = fs.readFileSync(preload, 'utf8'); } catch (e) { err = String(e); }
      if (src !== null) {
        try { new vm.Script(src, { filename: preload }); } catch (e) { err = String(e); src = null; }
      }
      if (err !== null) this.fire('preload-error', {}, preload, new Error(err));
      body = src !== null
        ? `try { (function (require, module, exports, process, global) {\n${src}\n})(__spikedeskEmuWorld.require, { exports: {} }, {}, __spikedeskEmuWorld.process, globalThis); } catch (e) { __spikedeskEmuWorld.preloadError(e); }`
        : `__spikedeskEmuWorld.preloadError(${JSON.stringify(err)});`;
    }
    if (this.scriptId) await this.cdp!.send('Page.removeScriptToEvaluateOnNewDocument', { identifier: this.scriptId });
    const r = await this.cdp!.send('Page.addScriptToEvaluateOnNewDocument', { source: `${world}\n${body}\n//# sourceURL=${pathToFileURL(preload ?? 'no-preload').href}`, worldName: WORLD });
    this.scriptId = r.identifier;
  }

  private world(): Promise<number> {
    if (this.worldCtx !== null) return Promise.resolve(this.worldCtx);
    return new Promise((r) => this.worldWaiters.push(r));
  }

  /** Messages into the page's isolated world, in order; dropped if the document is gone. */
  deliver(msg: object): void {
    this.chain = this.chain.then(async () => {
      if (this.destroyed) return;
      const ctx = await this.world();
      await this.cdp!.send('Runtime.evaluate', { expression: `globalThis.__spikedeskEmuWorld.deliver(${JSON.stringify(msg)})`, contextId: ctx })
        .catch(() => undefined);
    });
  }

  private fromPage(m: { k: string; ch?: string; args?: unknown; id?: number; data?: unknown; message?: string; key?: string; value?: unknown }): void {
    const event = { sender: this, senderFrame: { url: this.getURL() }, processId: 1, frameId: 1, returnValue: undefined, reply: (ch: string, ...a: unknown[]) => this.send(ch, ...a) };
    if (m.k === 'ipc') hooks!.ipcEmit(m.ch!, event, codec.decode(m.args) as unknown[]);
    else if (m.k === 'invoke') {
      hooks!.ipcInvoke(m.ch!, event, codec.decode(m.args) as unknown[])
        .then((v) => this.deliver({ k: 'invoke-result', id: m.id, ok: true, value: codec.encode(v) }))
        .catch((e) => this.deliver({ k: 'invoke-result', id: m.id, ok: false, error: `Error invoking remote method '${m.ch}': ${e}` }));
    } else if (m.k === 'port') {
      const p = this.pagePorts.get(m.id!);
      p?.other?.receive(codec.decode(m.data), []);
    } else if (m.k === 'preload-error') this.console.push(`preload-error: ${m.message}`);
    else if (m.k === 'preload-uncaught') this.console.push(`preload-uncaught: ${m.message}`);
    else if (m.k === 'expose') this.exposed.push({ key: m.key!, value: codec.decode(m.value) });
  }

  send(channel: string, ...args: unknown[]): void {
    this.deliver({ k: 'ipc', ch: channel, args: codec.encode(args.map((a) => structuredClone(a))), ports: [] });
  }

  /** webContents.postMessage(channel, message, transfer): MessagePortMain[] become DOM ports in the page. */
  postMessage(channel: string, message: unknown, transfer?: unknown): void {
    const ports = checkTransfer(transfer);
    const data = structuredClone(message);
    const moved = ports.map((p) => {
      const pp = new PagePort(nextPortId++, this);
      const { pending } = p.detachTo(pp);
      this.pagePorts.set(pp.id, pp);
      return { pp, pending };
    });
    // Messages queued on a port before its transfer must arrive after the port exists: deliver
    // the ipc event first, then the queued messages (the delivery chain keeps the order).
    this.deliver({ k: 'ipc', ch: channel, args: codec.encode([data]), ports: moved.map((m) => m.pp.id) });
    for (const { pp, pending } of moved) for (const q of pending) pp.receive(q.data, q.ports);
  }

  async loadURL(url: string): Promise<void> {
    await this.ready;
    await this.installPreload();
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const ok = () => { if (!done) { done = true; resolve(); } };
      this.once('did-finish-load', ok);
      this.page!.goto(url, { waitUntil: 'load' }).then(() => ok(), (e: Error) => {
        if (done) return;
        done = true;
        this.off('did-finish-load', ok);
        this.fire('did-fail-load', {}, -6, e.message, url, true);
        reject(new Error(`ERR_FAILED (-2) loading '${url}': ${e.message}`));
      });
    });
  }

  loadFile(p: string): Promise<void> { return this.loadURL(pathToFileURL(path.resolve(p)).href); }
  getURL(): string { return this.page?.url() ?? ''; }
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'allow' | 'deny' }): void { this.openHandler = h; }
  reload(): void { void this.page?.reload(); }
  isDestroyed(): boolean { return this.destroyed; }
  openDevTools(): void { this.devTools = true; }
  closeDevTools(): void { this.devTools = false; }
  isDevToolsOpened(): boolean { return this.devTools; }
  toggleDevTools(): void { this.devTools = !this.devTools; }
  devTools = false;
  async executeJavaScript(code: string): Promise<unknown> { return this.page!.evaluate(code); }

  /** Test control: drop a file from the OS onto the window at (x, y). */
  drop(filePath: string, x = 400, y = 300): void {
    this.deliver({ k: 'drop', path: filePath, name: path.basename(filePath), x, y });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.documentGone();
    this.destroyed = true;
    await this.page?.close().catch(() => undefined);
    this.fire('destroyed');
  }
}

export interface BrowserWindowOptions {
  width?: number; height?: number; show?: boolean; title?: string; webPreferences?: WebPreferences; [k: string]: unknown;
}

export class BrowserWindow extends EmuEmitter {
  readonly id: number;
  readonly webContents: WebContents;
  readonly bounds: { x: number; y: number; width: number; height: number };
  private visible: boolean;
  private shownOnce = false;
  private closed = false;
  private title: string;

  constructor(opts: BrowserWindowOptions = {}) {
    super('BrowserWindow');
    if (!hooks) throw new Error('emulation: BrowserWindow before the app is ready');
    const wp = opts.webPreferences ?? {};
    // Only the configuration Electron recommends is emulated (sandboxed, isolated, no Node).
    if (wp.nodeIntegration) throw new Error('emulation: nodeIntegration: true is not emulated');
    if (wp.contextIsolation === false) throw new Error('emulation: contextIsolation: false is not emulated');
    if (wp.sandbox === false) throw new Error('emulation: sandbox: false is not emulated');
    this.id = nextId++;
    this.bounds = { x: 0, y: 0, width: opts.width ?? 800, height: opts.height ?? 600 };
    this.visible = opts.show !== false;
    this.title = opts.title ?? 'Electron';
    this.webContents = new WebContents(this, wp);
    windows.push(this);
  }

  static getAllWindows(): BrowserWindow[] { return windows.slice(); }
  static getFocusedWindow(): BrowserWindow | null { return [...windows].reverse().find((w) => w.visible && !w.closed) ?? null; }
  static fromWebContents(wc: unknown): BrowserWindow | null { return windows.find((w) => w.webContents === wc) ?? null; }
  static fromId(id: number): BrowserWindow | null { return windows.find((w) => w.id === id) ?? null; }

  /** First document painted: Electron's 'ready-to-show' (once). */
  firstPaint(): void {
    if (this.shownOnce) return;
    this.shownOnce = true;
    this.fire('ready-to-show');
  }

  loadURL(url: string): Promise<void> { return this.webContents.loadURL(url); }
  loadFile(p: string): Promise<void> { return this.webContents.loadFile(p); }
  show(): void { this.visible = true; this.fire('show'); }
  hide(): void { this.visible = false; this.fire('hide'); }
  isVisible(): boolean { return this.visible; }
  focus(): void { this.fire('focus'); }
  isFocused(): boolean { return BrowserWindow.getFocusedWindow() === this; }
  isDestroyed(): boolean { return this.closed; }
  getTitle(): string { return this.title; }
  setTitle(t: string): void { this.title = t; }
  getBounds(): { x: number; y: number; width: number; height: number } { return { ...this.bounds }; }
  setMenuBarVisibility(): void { /* no menu bar in headless Chromium */ }
  setMenu(): void { /* per-window menus are not emulated */ }
  removeMenu(): void { /* per-window menus are not emulated */ }
  maximize(): void { /* no window manager */ }

  /** Like the user closing the window: 'close' (preventable), then 'closed' once it is gone. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const ev = preventable();
    this.fire('close', ev);
    if (ev.defaultPrevented) return Promise.resolve();
    return this.destroy();
  }

  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.webContents.destroy();
    windows.splice(windows.indexOf(this), 1);
    this.fire('closed');
    if (!windows.length) hooks?.allClosed();
  }
}

export function openWindows(): BrowserWindow[] { return windows.slice(); }
export const EMU_DIR = path.dirname(fileURLToPath(import.meta.url));
