// comlink endpoint over a WebSocket (ws package), using the JSON codec of src/shared/wire.ts.

import type { Endpoint } from 'comlink';
import type { WebSocket } from 'ws';
import { decodeWire, encodeWire } from '../../shared/wire';

type Listener = EventListenerOrEventListenerObject;

export function wsEndpoint(ws: WebSocket): Endpoint {
  const listeners = new Set<Listener>();
  ws.on('message', (raw) => {
    let data: unknown;
    try { data = decodeWire(raw.toString()); } catch { return; } // not ours: ignore
    for (const l of listeners) {
      const ev = { data } as MessageEvent;
      // A listener that throws must not escape into ws's emitter (that would end the process).
      try { if (typeof l === 'function') l(ev); else l.handleEvent(ev); } catch { /* the guard already answered */ }
    }
  });
  return {
    postMessage(message: unknown) {
      if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
    },
    addEventListener(_t: string, l: Listener) { listeners.add(l); },
    removeEventListener(_t: string, l: Listener) { listeners.delete(l); },
  };
}
