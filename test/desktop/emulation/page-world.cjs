// Runs inside the page, in the isolated world where Electron runs a preload: the sandboxed
// preload's `require` (electron: ipcRenderer, contextBridge, webUtils), the bridge for ports
// delivered by webContents.postMessage, IPC both ways and synthetic file drops.
// Self-contained: worldMain.toString() is injected through CDP (Page.addScriptToEvaluateOnNewDocument
// with a worldName), never evaluated in Node.
'use strict';

function worldMain(cfg, makeCodec) {
  if (window !== window.top) return; // Electron runs the preload in the main frame only
  const b64enc = (u8) => { let s = ''; for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000)); return btoa(s); };
  const b64dec = (s) => { const bin = atob(s); const u = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i); return u; };
  const codec = makeCodec(b64enc, b64dec);
  const binding = globalThis[cfg.binding];
  delete globalThis[cfg.binding];
  const send = (msg) => binding(JSON.stringify(msg));
  const listeners = new Map();
  const bridged = new Map();
  const filePaths = new WeakMap();
  const pending = new Map();
  let invokeSeq = 0;

  function add(ch, fn, once) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    if (!listeners.has(ch)) listeners.set(ch, []);
    listeners.get(ch).push({ fn, once });
  }
  function remove(ch, fn) {
    const ls = listeners.get(ch);
    if (!ls) return;
    const i = ls.findIndex((l) => l.fn === fn);
    if (i >= 0) ls.splice(i, 1);
  }
  function emit(ch, event, args) {
    for (const l of (listeners.get(ch) || []).slice()) {
      if (l.once) remove(ch, l.fn);
      try { l.fn(event, ...args); } catch (e) { console.error(e); send({ k: 'preload-uncaught', message: String((e && e.stack) || e) }); }
    }
  }
  const ipcRenderer = {
    on(ch, fn) { add(ch, fn, false); return ipcRenderer; },
    addListener(ch, fn) { add(ch, fn, false); return ipcRenderer; },
    once(ch, fn) { add(ch, fn, true); return ipcRenderer; },
    off(ch, fn) { remove(ch, fn); return ipcRenderer; },
    removeListener(ch, fn) { remove(ch, fn); return ipcRenderer; },
    removeAllListeners(ch) { if (ch === undefined) listeners.clear(); else listeners.delete(ch); return ipcRenderer; },
    send(ch, ...args) { send({ k: 'ipc', ch: String(ch), args: codec.encode(args) }); },
    invoke(ch, ...args) {
      const id = ++invokeSeq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ k: 'invoke', id, ch: String(ch), args: codec.encode(args) });
      });
    },
    sendSync() { throw new Error('emulation: ipcRenderer.sendSync is not emulated'); },
    postMessage(ch, message, transfer) {
      if (transfer && transfer.length) throw new Error('emulation: transferring ports from a renderer to main is not emulated');
      send({ k: 'ipc', ch: String(ch), args: codec.encode([message]) });
    },
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      // Data only: functions across worlds are not emulated (the app exposes nothing).
      send({ k: 'expose', key: String(key), value: codec.encode(api) });
    },
  };
  const webUtils = { getPathForFile(file) { return filePaths.get(file) || ''; } };
  const electron = { ipcRenderer, contextBridge, webUtils };
  const sandboxRequire = (name) => {
    if (name === 'electron' || name === 'electron/renderer') return electron;
    throw new Error(`module not found: ${name}`);
  };

  globalThis.__spikedeskEmuWorld = {
    require: sandboxRequire,
    process: { type: 'renderer', sandboxed: true, contextIsolated: true, platform: cfg.platform, versions: cfg.versions, env: {}, argv: [] },
    preloadError(e) {
      console.error(`Unable to load preload script: ${cfg.preloadPath}`);
      console.error(e);
      send({ k: 'preload-error', message: String((e && e.stack) || e) });
    },
    deliver(msg) {
      if (msg.k === 'ipc') {
        const ports = (msg.ports || []).map((id) => {
          const ch = new MessageChannel();
          bridged.set(id, ch.port2);
          ch.port2.onmessage = (e) => {
            if (e.ports && e.ports.length) console.error('emulation: ports sent from a page back to main are not emulated');
            send({ k: 'port', id, data: codec.encode(e.data) });
          };
          return ch.port1;
        });
        emit(msg.ch, { sender: ipcRenderer, senderId: 0, ports }, codec.decode(msg.args));
      } else if (msg.k === 'port') {
        const p = bridged.get(msg.id);
        if (p) p.postMessage(codec.decode(msg.data));
      } else if (msg.k === 'port-close') {
        const p = bridged.get(msg.id);
        if (p) { p.close(); bridged.delete(msg.id); }
      } else if (msg.k === 'invoke-result') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (p) { if (msg.ok) p.resolve(codec.decode(msg.value)); else p.reject(new Error(msg.error)); }
      } else if (msg.k === 'drop') {
        // A file dragged from the OS: a File whose path webUtils.getPathForFile knows.
        const f = new File([], msg.name);
        filePaths.set(f, msg.path);
        const dt = new DataTransfer();
        dt.items.add(f);
        const target = document.elementFromPoint(msg.x, msg.y) || document.body;
        for (const type of ['dragenter', 'dragover', 'drop']) {
          target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, composed: true, dataTransfer: dt, clientX: msg.x, clientY: msg.y }));
        }
      }
    },
  };
}

module.exports = { worldMain };
