// The adapters against fakes that behave like Electron: MessagePortMain / parentPort emit
// {data, ports} through .on('message'), UtilityProcess emits the bare message, and
// postMessage throws when the transfer list holds anything but a port.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { expose, transfer, wrap } from 'comlink';
import { electronPortEndpoint, utilityChildEndpoint } from './endpoint';
import { installRpcErrorHandler } from '../shared/rpc';
import { SpikeDeskError } from '../shared/errors';

class FakePortMain extends EventEmitter {
  other: FakePortMain | null = null;
  started = false;
  start() { this.started = true; }
  postMessage(message: unknown, transfer: unknown[] = []) {
    if (transfer.some((t) => !(t instanceof FakePortMain))) throw new TypeError('Invalid value for transfer: only MessagePortMain');
    const data = structuredClone(message);
    setImmediate(() => this.other!.emit('message', { data, ports: transfer }));
  }
}

function pair(): [FakePortMain, FakePortMain] {
  const a = new FakePortMain();
  const b = new FakePortMain();
  a.other = b; b.other = a;
  return [a, b];
}

/** UtilityProcess (main side) talking to a child's parentPort. */
class FakeUtilityChild extends EventEmitter {
  parentPort = new FakePortMain();
  constructor() {
    super();
    const toMain = new FakePortMain();
    this.parentPort.other = toMain;
    toMain.on('message', (e: { data: unknown }) => this.emit('message', e.data)); // bare message on main side
  }
  postMessage(message: unknown, transfer: unknown[] = []) {
    if (transfer.some((t) => !(t instanceof FakePortMain))) throw new TypeError('only ports');
    const data = structuredClone(message);
    setImmediate(() => this.parentPort.emit('message', { data, ports: transfer }));
  }
}

const isFakePort = (x: unknown) => x instanceof FakePortMain;

describe('electron endpoint adapters', () => {
  installRpcErrorHandler();
  const api = {
    add: (a: number, b: number) => a + b,
    sum: (x: Float32Array) => x.reduce((s, v) => s + v, 0),
    fail: (): number => { throw new SpikeDeskError({ code: 'BAD_SAMPLES', message: 'NaN at sample 3', fix: 'clean the file', file: '/x.edf' }); },
  };

  it('carries comlink calls over a MessagePortMain pair and starts the port', async () => {
    const [a, b] = pair();
    expose(api, electronPortEndpoint(a, isFakePort));
    const remote = wrap<typeof api>(electronPortEndpoint(b, isFakePort));
    expect(a.started).toBe(true);
    expect(await remote.add(2, 3)).toBe(5);
  });

  it('drops ArrayBuffers from the transfer list (Electron would throw) and copies the data', async () => {
    const [a, b] = pair();
    expose(api, electronPortEndpoint(a, isFakePort));
    const remote = wrap<typeof api>(electronPortEndpoint(b, isFakePort));
    const x = new Float32Array([1, 2, 3.5]);
    expect(await remote.sum(transfer(x, [x.buffer]))).toBe(6.5);
    expect(x.length).toBe(3); // not detached: copied, not transferred
  });

  it('keeps MessagePorts in the transfer list', () => {
    const [a] = pair();
    const ep = electronPortEndpoint(a, isFakePort);
    const [p] = pair();
    expect(() => ep.postMessage({ hello: 1 }, [p as unknown as Transferable, new ArrayBuffer(8)])).not.toThrow();
  });

  it('turns typed errors into SpikeDeskError on the calling side', async () => {
    const [a, b] = pair();
    expose(api, electronPortEndpoint(a, isFakePort));
    const remote = wrap<typeof api>(electronPortEndpoint(b, isFakePort));
    const err = await remote.fail().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpikeDeskError);
    expect((err as SpikeDeskError).code).toBe('BAD_SAMPLES');
    expect((err as SpikeDeskError).file).toBe('/x.edf');
  });

  it('works across a utility process: bare messages on the main side, {data} in the child', async () => {
    const child = new FakeUtilityChild();
    expose(api, electronPortEndpoint(child.parentPort, isFakePort));
    const remote = wrap<typeof api>(utilityChildEndpoint(child, isFakePort));
    expect(await remote.add(40, 2)).toBe(42);
  });

  it('removes listeners', () => {
    const [a] = pair();
    const ep = electronPortEndpoint(a, isFakePort);
    const l = () => undefined;
    ep.addEventListener('message', l);
    expect(a.listenerCount('message')).toBe(1);
    ep.removeEventListener('message', l);
    expect(a.listenerCount('message')).toBe(0);
  });
});
