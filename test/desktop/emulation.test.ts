// Pins the Electron behaviours the emulation (test/desktop/emulation) follows where they differ
// from Node's, from Electron's API documentation (MessagePortMain, parentPort, UtilityProcess):
// {data, ports} events instead of bare values, messages queued until start(), transfer lists of
// MessagePortMain only (ArrayBuffers refused, where Node transfers them), buffers copied.
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MessageChannelMain, MessagePortMain } from './emulation/ports';
import { utilityProcess } from './emulation/utility';

const ECHO = path.join(__dirname, 'fixtures', 'echo-utility.cjs');
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

describe('MessageChannelMain (Electron) vs Node MessageChannel', () => {
  it('queues messages until start(); Node starts a port when a listener is added', async () => {
    const { port1, port2 } = new MessageChannelMain();
    const got: unknown[] = [];
    port2.on('message', (e) => got.push(e));
    port1.postMessage({ a: 1 });
    await tick();
    expect(got).toEqual([]);
    port2.start();
    await tick();
    expect(got).toEqual([{ data: { a: 1 }, ports: [] }]);

    const node = new MessageChannel();
    const nodeGot: unknown[] = [];
    node.port2.on('message', (v) => nodeGot.push(v));
    node.port1.postMessage({ a: 1 });
    await tick();
    expect(nodeGot).toEqual([{ a: 1 }]); // the bare value, no {data, ports}
    node.port1.close();
  });

  it('refuses an ArrayBuffer in the transfer list (Node transfers it) and copies buffers in the message', async () => {
    const { port1, port2 } = new MessageChannelMain();
    const buf = new Float32Array([1, 2, 3]);
    expect(() => port1.postMessage(buf, [buf.buffer])).toThrow(/conversion failure from ArrayBuffer/);
    port2.start();
    const got = new Promise<{ data: Float32Array }>((r) => port2.once('message', r));
    port1.postMessage(buf);
    const e = await got;
    expect(Array.from(e.data)).toEqual([1, 2, 3]);
    expect(buf.length).toBe(3); // still ours: copied, not detached

    const node = new MessageChannel();
    const nb = new Float32Array([1, 2, 3]);
    node.port1.postMessage(nb, [nb.buffer]);
    expect(nb.length).toBe(0); // Node detached it
    node.port1.close();
  });

  it('transfers ports: they arrive in e.ports, the sent object is neutered', async () => {
    const a = new MessageChannelMain();
    const b = new MessageChannelMain();
    a.port2.start();
    const got = new Promise<{ ports: MessagePortMain[] }>((r) => a.port2.once('message', r));
    a.port1.postMessage('take this', [b.port2]);
    const [moved] = (await got).ports;
    expect(moved).toBeInstanceOf(MessagePortMain);
    expect(() => a.port1.postMessage('again', [b.port2])).toThrow(/already neutered/);
    expect(() => a.port1.postMessage('self', [a.port1])).toThrow(/contains the source port/);
    moved.start();
    const echoed = new Promise<{ data: unknown }>((r) => moved.once('message', r));
    b.port1.postMessage('through the moved port');
    expect((await echoed).data).toBe('through the moved port');
  });

  it("emits 'close' on the other end when a port closes; posting on a closed port is dropped", async () => {
    const { port1, port2 } = new MessageChannelMain();
    const closed = new Promise((r) => port2.once('close', r));
    port1.close();
    await closed;
    expect(() => port1.postMessage('late')).not.toThrow();
    expect(() => port1.postMessage(() => 1)).toThrow(/could not be cloned/);
  });
});

describe('utilityProcess.fork (emulated)', () => {
  it('main side gets bare messages, the child gets {data, ports}; early messages queue; no process.send; numeric exit code', async () => {
    const child = utilityProcess.fork(ECHO, [], { serviceName: 'echo', stdio: 'inherit' });
    const spawned = new Promise((r) => child.once('spawn', r));
    child.postMessage('early'); // before spawn and before the child listens
    await spawned;
    expect(child.pid).toBeGreaterThan(0);
    const reply = await new Promise<unknown>((r) => child.once('message', r));
    expect(reply).toEqual({ echo: 'early', keys: ['data', 'ports'], ports: 0, hasSend: 'undefined' });
    const ab = new ArrayBuffer(8);
    expect(() => child.postMessage(ab, [ab])).toThrow(/conversion failure from ArrayBuffer/);
    const code = new Promise<number>((r) => child.once('exit', r));
    child.postMessage('exit');
    expect(await code).toBe(7);
    expect(child.kill()).toBe(false);
  });

  it('kill() ends the process with a numeric code', async () => {
    const child = utilityProcess.fork(ECHO);
    await new Promise((r) => child.once('spawn', r));
    const code = new Promise<number>((r) => child.once('exit', r));
    expect(child.kill()).toBe(true);
    expect(typeof (await code)).toBe('number');
  });
});

describe('app, dialog and Menu stand-ins', () => {
  it('single-instance lock: the second instance on the same userData is refused and the first hears of it', async () => {
    const { App } = await import('./emulation/app');
    const cfg = { appPath: path.resolve(__dirname, '../..'), userData: path.join(__dirname, 'no-such-user-data'), isPackaged: true };
    const first = new App(cfg);
    const second = new App(cfg);
    expect(first.requestSingleInstanceLock()).toBe(true);
    const heard = new Promise((r) => first.once('second-instance', (_e, argv) => r(argv)));
    expect(second.requestSingleInstanceLock()).toBe(false);
    expect(Array.isArray(await heard)).toBe(true);
    first.releaseSingleInstanceLock();
    expect(second.requestSingleInstanceLock()).toBe(true);
    second.releaseSingleInstanceLock();
    expect(first.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(() => first.getPath('nonsense')).toThrow(/Failed to get 'nonsense' path/);
  });

  it('an unscripted dialog is an error, a scripted one answers once', async () => {
    const { Dialog } = await import('./emulation/app');
    const { mainErrors } = await import('./emulation/emitter');
    const d = new Dialog();
    d.answer('showOpenDialog', { canceled: true, filePaths: [] });
    expect(await d.showOpenDialog({ properties: ['openFile'] })).toEqual({ canceled: true, filePaths: [] });
    await expect(d.showOpenDialog({})).rejects.toThrow(/unscripted dialog/);
    expect(mainErrors.list.at(-1)?.message).toMatch(/unscripted dialog/);
  });

  it('Menu records the template, labels roles like Electron and clicks items by path', async () => {
    const { Menu } = await import('./emulation/app');
    const clicked: string[] = [];
    Menu.setApplicationMenu(Menu.buildFromTemplate([
      { label: 'File', submenu: [{ label: 'Open…', click: () => { clicked.push('open'); } }, { type: 'separator' }, { role: 'quit' }] },
      { label: 'Help', submenu: [{ label: 'Off', enabled: false, click: () => { clicked.push('off'); } }] },
    ]));
    expect(Menu.outline()).toEqual([{ File: ['Open…', 'Quit'] }, { Help: ['Off'] }]);
    await Menu.click(['File', 'Open…']);
    expect(clicked).toEqual(['open']);
    await expect(Menu.click(['Help', 'Off'])).rejects.toThrow(/disabled/);
    await expect(Menu.click(['Edit'])).rejects.toThrow(/not found/);
    Menu.setApplicationMenu(null);
  });
});
