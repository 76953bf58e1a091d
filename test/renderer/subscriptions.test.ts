// The renderer's push fan-out (src/renderer/api/subscriptions.ts): events and menu commands that
// reach the renderer before its stores subscribe are replayed to them, in order, not lost.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { BackendEvent } from '../../src/shared/api';
import type { MenuCommand } from '../../src/shared/menu';
import { Fanout, newPushes, routePush } from '../../src/renderer/api/subscriptions';

const status = (message: string): BackendEvent => ({ type: 'status', message, fraction: 0.5 });

describe('push fan-out', () => {
  it('replays pushes that arrived before the first subscriber, in order, then delivers live', () => {
    const f = new Fanout<number>();
    f.emit(1); f.emit(2);
    const got: number[] = [];
    f.subscribe((v) => got.push(v));
    f.emit(3);
    expect(got).toEqual([1, 2, 3]);
    expect(f.backlog).toBe(0);
  });

  it('replays the backlog once: a later subscriber gets live pushes only', () => {
    const f = new Fanout<string>();
    f.emit('early');
    const a: string[] = [], b: string[] = [];
    f.subscribe((v) => a.push(v));
    f.subscribe((v) => b.push(v));
    f.emit('live');
    expect(a).toEqual(['early', 'live']);
    expect(b).toEqual(['live']);
  });

  it('keeps pushes again after every subscriber left, and bounds the backlog', () => {
    const f = new Fanout<number>(3);
    const off = f.subscribe(() => undefined);
    off();
    expect(f.subscribers).toBe(0);
    for (let i = 0; i < 5; i++) f.emit(i);
    expect(f.backlog).toBe(3);
    expect(f.dropped).toBe(2);
    const got: number[] = [];
    f.subscribe((v) => got.push(v));
    expect(got).toEqual([2, 3, 4]); // the newest are kept
  });

  it('routes messages on a port: pushes before subscription reach the stores, RPC replies pass through', async () => {
    const { port1, port2 } = new MessageChannel();
    const pushes = newPushes();
    const rpc: unknown[] = [];
    let replied: () => void = () => undefined;
    const reply = new Promise<void>((r) => { replied = r; });
    port1.on('message', (data) => { if (!routePush(data, pushes)) { rpc.push(data); replied(); } });
    // Main sends as soon as the port is up: demo status, a file named on the command line, an RPC reply.
    port2.postMessage({ spikedeskEvent: status('Preparing the spike demo') });
    port2.postMessage({ spikedeskMenu: { kind: 'open', path: '/data/a.vhdr' } satisfies MenuCommand });
    port2.postMessage({ id: 'r1', type: 'HANDLER', value: 1 });
    await reply; // messages arrive in order: the two pushes came before it
    // The stores subscribe only now (after React's first effects).
    const events: BackendEvent[] = [];
    const menus: MenuCommand[] = [];
    pushes.events.subscribe((e) => events.push(e));
    pushes.menus.subscribe((c) => menus.push(c));
    expect(events).toEqual([status('Preparing the spike demo')]);
    expect(menus).toEqual([{ kind: 'open', path: '/data/a.vhdr' }]);
    expect(rpc).toEqual([{ id: 'r1', type: 'HANDLER', value: 1 }]);
    port1.close();
  });
});
