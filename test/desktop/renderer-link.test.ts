// The window's backend connection (src/main/electron/renderer-link.ts) on the Electron emulation's
// MessageChannelMain: a reload replaces the connection instead of adding one (the old event
// subscription is removed, the old port closed), and menu commands sent while no document is
// connected reach the next one.
import { describe, expect, it } from 'vitest';
import type { BackendEvent } from '../../src/shared/api';
import { RendererLink } from '../../src/main/electron/renderer-link';
import { MessageChannelMain, type MessagePortMain } from './emulation/ports';

function services() {
  const listeners = new Set<(e: BackendEvent) => void>();
  return {
    listeners,
    exposed: [] as MessagePortMain[],
    emit(e: BackendEvent) { for (const l of listeners) l(e); },
    subscribe(cb: (e: BackendEvent) => void) { listeners.add(cb); return () => { listeners.delete(cb); }; },
  };
}

function collect(port: MessagePortMain): unknown[] {
  const got: unknown[] = [];
  port.on('message', (e: { data: unknown }) => got.push(e.data));
  port.start();
  return got;
}

const tick = () => new Promise((r) => setImmediate(r));
const status: BackendEvent = { type: 'status', message: 'x', fraction: 0.5 };

function makeLink(s: ReturnType<typeof services>) {
  return new RendererLink<MessagePortMain>({
    channel: () => new MessageChannelMain(),
    expose: (p) => { s.exposed.push(p); },
    subscribe: (cb) => s.subscribe(cb),
  });
}

describe('renderer link (one backend connection per loaded document)', () => {
  it('a reload replaces the connection: one subscription, the old port closed, events only to the new page', async () => {
    const s = services();
    const link = makeLink(s);
    const page1 = link.connect();
    const got1 = collect(page1);
    let closed1 = false;
    page1.on('close', () => { closed1 = true; });
    s.emit(status);
    await tick(); await tick();
    expect(got1).toEqual([{ spikedeskEvent: status }]);

    for (let i = 0; i < 5; i++) link.connect(); // five reloads
    const page = link.connect();
    const got = collect(page);
    expect(s.listeners.size).toBe(1);
    await tick(); await tick();
    expect(closed1).toBe(true);
    s.emit(status);
    await tick(); await tick();
    expect(got).toEqual([{ spikedeskEvent: status }]);
    expect(got1).toHaveLength(1);
    expect(s.exposed).toHaveLength(7);
  });

  it('menu commands sent before a document connects (or during a reload) are delivered to the next one', async () => {
    const s = services();
    const link = makeLink(s);
    link.send({ spikedeskMenu: { kind: 'open', path: '/data/a.edf' } });
    const page = link.connect();
    const got = collect(page);
    link.send({ spikedeskMenu: { kind: 'undo' } });
    await tick(); await tick();
    expect(got).toEqual([{ spikedeskMenu: { kind: 'open', path: '/data/a.edf' } }, { spikedeskMenu: { kind: 'undo' } }]);
  });

  it('closing the window unsubscribes and closes the port', async () => {
    const s = services();
    const link = makeLink(s);
    const page = link.connect();
    let closed = false;
    page.on('close', () => { closed = true; });
    link.close();
    expect(s.listeners.size).toBe(0);
    expect(link.connected).toBe(false);
    await tick();
    expect(closed).toBe(true);
  });
});
