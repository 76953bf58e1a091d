// Bootstrap of an emulated Electron utility process (a Node child process): installs
// process.parentPort with Electron's semantics, hides Node's IPC channel (a utility process has
// none), then loads the entry module the way Electron does.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS bootstrap, like Electron's */
const { EventEmitter } = require('node:events');
const Module = require('node:module');
const { pathToFileURL } = require('node:url');

const send = process.send.bind(process);
// Electron's utility process has no process.send: code that relied on it would break there.
delete process.send;

class ParentPort extends EventEmitter {
  constructor() {
    super();
    this._queue = [];
    this._started = false;
    // "Messages received on this port will be queued up until a handler is registered."
    this.on('newListener', (ev) => { if (ev === 'message') setImmediate(() => this.start()); });
  }
  start() { this._started = true; this._flush(); }
  pause() { this._started = false; }
  postMessage(message) {
    if (arguments.length < 1) throw new TypeError('Expected at least one argument to postMessage');
    // parentPort.postMessage(message) takes no transfer list; V8 serialization (advanced IPC) throws
    // DataCloneError for functions like Electron's serializer.
    send({ k: 'msg', data: message });
  }
  _push(data) { this._queue.push({ data, ports: [] }); this._flush(); }
  _flush() {
    if (this._flushing) return;
    this._flushing = true;
    setImmediate(() => {
      this._flushing = false;
      while (this._started && this._queue.length && this.listenerCount('message') > 0) this.emit('message', this._queue.shift());
    });
  }
}

const parentPort = new ParentPort();
Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: false, configurable: false });
Object.defineProperty(process, 'type', { value: 'utility', enumerable: false });
process.on('message', (m) => { if (m && m.k === 'msg') parentPort._push(m.data); });
// Electron kills utility processes with the main process.
process.on('disconnect', () => process.exit(0));

// require('electron') inside a utility process exposes utility modules only; none is emulated.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') throw new Error("emulation: require('electron') inside a utility process is not emulated");
  return resolve.call(this, request, ...rest);
};

const entry = process.argv[2];
process.argv = [process.execPath, entry, ...process.argv.slice(3)];
if (/\.mjs$/.test(entry)) import(pathToFileURL(entry).href);
else require(entry);
