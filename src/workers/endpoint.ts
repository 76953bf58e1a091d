// comlink endpoint adapters for Electron's message semantics. Electron's MessagePortMain and a
// utility process's parentPort emit events shaped {data, ports} through `.on('message')`, the main
// side of a UtilityProcess emits the bare message, and every Electron postMessage accepts only
// MessagePortMain objects in its transfer list (ArrayBuffers are copied, never transferred).

import type { Endpoint } from 'comlink';

type Listener = EventListenerOrEventListenerObject;

/** The subset of Electron's MessagePortMain / parentPort that we rely on. */
export interface ElectronPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: unknown[] }) => void): unknown;
  off?(event: 'message', listener: (e: { data: unknown; ports?: unknown[] }) => void): unknown;
  removeListener?(event: 'message', listener: (e: { data: unknown; ports?: unknown[] }) => void): unknown;
  postMessage(message: unknown, transfer?: unknown[]): void;
  start?(): void;
}

/** The main-process side of Electron's UtilityProcess: 'message' carries the bare message. */
export interface UtilityChildLike {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off?(event: 'message', listener: (message: unknown) => void): unknown;
  removeListener?(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown, transfer?: unknown[]): void;
}

/** Electron transfer lists may hold only ports: keep the ports, drop buffers (they get copied). */
export function portsOnly(transfer: Transferable[] | undefined, isPort: (x: unknown) => boolean): unknown[] {
  return (transfer ?? []).filter((t) => isPort(t));
}

const looksLikePort = (x: unknown): boolean =>
  typeof x === 'object' && x !== null && typeof (x as { postMessage?: unknown }).postMessage === 'function'
  && typeof (x as { on?: unknown }).on === 'function';

function listenerRegistry<E>() {
  const map = new Map<Listener, (e: E) => void>();
  return {
    add(l: Listener, wrap: (l: Listener) => (e: E) => void): (e: E) => void {
      const w = wrap(l);
      map.set(l, w);
      return w;
    },
    take(l: Listener): ((e: E) => void) | undefined {
      const w = map.get(l);
      map.delete(l);
      return w;
    },
  };
}

function call(l: Listener, ev: unknown): void {
  if (typeof l === 'function') l(ev as Event);
  else l.handleEvent(ev as Event);
}

/** Endpoint over a MessagePortMain or a utility process's parentPort ({data, ports} events). */
export function electronPortEndpoint(port: ElectronPortLike, isPort: (x: unknown) => boolean = looksLikePort): Endpoint {
  const reg = listenerRegistry<{ data: unknown; ports?: unknown[] }>();
  port.start?.();
  return {
    postMessage(message: unknown, transfer?: Transferable[]) {
      port.postMessage(message, portsOnly(transfer, isPort));
    },
    addEventListener(_type: string, listener: Listener) {
      port.on('message', reg.add(listener, (l) => (e) => call(l, { data: e.data, ports: e.ports ?? [] })));
    },
    removeEventListener(_type: string, listener: Listener) {
      const w = reg.take(listener);
      if (!w) return;
      if (port.off) port.off('message', w);
      else port.removeListener?.('message', w);
    },
  };
}

/** Endpoint over the main-process handle of a UtilityProcess (bare-message events). */
export function utilityChildEndpoint(child: UtilityChildLike, isPort: (x: unknown) => boolean = looksLikePort): Endpoint {
  const reg = listenerRegistry<unknown>();
  return {
    postMessage(message: unknown, transfer?: Transferable[]) {
      child.postMessage(message, portsOnly(transfer, isPort));
    },
    addEventListener(_type: string, listener: Listener) {
      child.on('message', reg.add(listener, (l) => (m) => call(l, { data: m, ports: [] })));
    },
    removeEventListener(_type: string, listener: Listener) {
      const w = reg.take(listener);
      if (!w) return;
      if (child.off) child.off('message', w);
      else child.removeListener?.('message', w);
    },
  };
}

/** The subset of worker_threads' Worker / parentPort we use: 'message' carries the bare value. */
export interface NodePortLike {
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
  postMessage(value: unknown, transfer?: readonly Transferable[]): void;
}

/** Endpoint over worker_threads (structured clone; ArrayBuffers may be transferred). */
export function nodePortEndpoint(port: NodePortLike): Endpoint {
  const reg = listenerRegistry<unknown>();
  return {
    postMessage(message: unknown, transfer?: Transferable[]) {
      port.postMessage(message, transfer ?? []);
    },
    addEventListener(_type: string, listener: Listener) {
      port.on('message', reg.add(listener, (l) => (m) => call(l, { data: m })));
    },
    removeEventListener(_type: string, listener: Listener) {
      const w = reg.take(listener);
      if (w) port.off('message', w);
    },
  };
}
