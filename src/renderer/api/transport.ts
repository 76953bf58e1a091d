// The renderer's only door to the backend. In Electron the preload hands us a MessagePort;
// in a browser (web host) we open a WebSocket with the token from the page URL.

import { wrap, type Endpoint, type Remote } from 'comlink';
import type { BackendApi, BackendEvent } from '../../shared/api';
import type { MenuCommand } from '../../shared/menu';
import { decodeWire, encodeWire } from '../../shared/wire';
import { installRpcErrorHandler } from '../../shared/rpc';
import { newPushes, routePush, type Pushes } from './subscriptions';

export interface Connection {
  api: Remote<BackendApi>;
  onEvent(cb: (e: BackendEvent) => void): () => void;
  /** Commands from Electron's application menu (the web UI has its own menu bar). */
  onMenu(cb: (c: MenuCommand) => void): () => void;
  /**
   * Called once if the connection is lost (the web host stopped); calls then waiting for an answer,
   * and every later call, fail with that NOT_CONNECTED error instead of waiting forever.
   */
  onLost(cb: (e: Error) => void): void;
  kind: 'electron' | 'web';
}

type Listener = EventListenerOrEventListenerObject;

function dispatch(listeners: Set<Listener>, data: unknown): void {
  const ev = { data } as MessageEvent;
  for (const l of listeners) { if (typeof l === 'function') l(ev); else l.handleEvent(ev); }
}

const LOST = {
  message: 'The connection to the SpikeDesk web host was lost (it stopped, or its terminal was closed)',
  fix: 'Start it again with `npm run serve` and open the address it prints (the token is new at every start). Files the app wrote are safe; a run that was going has stopped.',
};

/** comlink's answer to request `id` that throws `info` (as the 'throw' handler of rpc.ts encodes it). */
function thrownAnswer(id: string, info: { code: string; message: string; fix: string }): unknown {
  return { id, type: 'HANDLER', name: 'throw', value: { isError: true, info } };
}

/**
 * comlink over the WebSocket. Requests still waiting for an answer are tracked by their id: when
 * the socket closes they are answered with a NOT_CONNECTED error (and so is every later request),
 * since a closed WebSocket drops what is sent to it and comlink would wait forever.
 */
function socketEndpoint(ws: WebSocket, pushes: Pushes, lost: (e: Error) => void): Endpoint {
  const listeners = new Set<Listener>();
  const waiting = new Set<string>();
  const info = { code: 'NOT_CONNECTED', ...LOST };
  const answerLost = (id: string): void => dispatch(listeners, thrownAnswer(id, info));
  ws.addEventListener('message', (m) => {
    const data = decodeWire(String(m.data));
    if (routePush(data, pushes)) return;
    const id = (data as { id?: unknown } | null)?.id;
    if (typeof id === 'string') waiting.delete(id);
    dispatch(listeners, data);
  });
  ws.addEventListener('close', () => {
    lost(connectError(LOST.message, LOST.fix));
    for (const id of [...waiting]) answerLost(id);
    waiting.clear();
  }, { once: true });
  return {
    postMessage: (msg: unknown) => {
      const id = (msg as { id?: unknown } | null)?.id;
      if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) {
        if (typeof id === 'string') queueMicrotask(() => answerLost(id));
        return;
      }
      if (typeof id === 'string') waiting.add(id);
      ws.send(encodeWire(msg));
    },
    addEventListener: (_t: string, l: Listener) => listeners.add(l),
    removeEventListener: (_t: string, l: Listener) => listeners.delete(l),
  };
}

function portEndpoint(port: MessagePort, pushes: Pushes): Endpoint {
  const listeners = new Set<Listener>();
  port.onmessage = (m) => {
    if (!routePush(m.data, pushes)) dispatch(listeners, m.data);
  };
  return {
    postMessage: (msg: unknown, transfer?: Transferable[]) => port.postMessage(msg, transfer ?? []),
    addEventListener: (_t: string, l: Listener) => listeners.add(l),
    removeEventListener: (_t: string, l: Listener) => listeners.delete(l),
  };
}

/** A connection failure with the same shape as the backend's typed errors (code, message, fix). */
function connectError(message: string, fix: string): Error {
  return Object.assign(new Error(message), { code: 'NOT_CONNECTED', fix });
}

/**
 * Electron: the preload posts the port to this window once, when main has loaded the page. Listen
 * from the moment this module is evaluated (before the page's load event, hence before main can
 * send), not from the first backend() call inside a React effect, which may come later.
 */
function waitForPort(): Promise<MessagePort> {
  return new Promise((resolve) => {
    const onMsg = (e: MessageEvent) => {
      if (e.source === window && e.data === 'spikedesk:port' && e.ports[0]) { window.removeEventListener('message', onMsg); resolve(e.ports[0]); }
    };
    window.addEventListener('message', onMsg);
  });
}
const portArrival: Promise<MessagePort> | null = typeof window !== 'undefined' && !(typeof __SPIKEDESK_WEB__ !== 'undefined' && __SPIKEDESK_WEB__)
  ? waitForPort() : null;

export async function connect(): Promise<Connection> {
  installRpcErrorHandler();
  // Pushes that arrive before the stores subscribe are replayed to them (subscriptions.ts).
  const pushes = newPushes();
  const onEvent = (cb: (e: BackendEvent) => void) => pushes.events.subscribe(cb);
  const onMenu = (cb: (c: MenuCommand) => void) => pushes.menus.subscribe(cb);
  const token = new URLSearchParams(window.location.search).get('token');
  const web = typeof __SPIKEDESK_WEB__ !== 'undefined' && __SPIKEDESK_WEB__;
  if (token === null && web) {
    // In a browser nothing else will ever connect us: say so instead of waiting forever.
    throw connectError('The address has no access token, so this page cannot reach the SpikeDesk web host',
      'Open the full address that `npm run serve` printed in its terminal (the line "Open: http://127.0.0.1:PORT/?token=…"); the token is new at every start.');
  }
  if (token !== null) {
    const ws = new WebSocket(`ws://${window.location.host}/rpc?token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(connectError('The SpikeDesk web host refused this access token or is not running',
        'Open the address that `npm run serve` printed most recently (the token changes at every start), or start it again with `npm run serve`.')), { once: true });
    });
    let lostError: Error | null = null;
    const lostCbs: Array<(e: Error) => void> = [];
    const endpoint = socketEndpoint(ws, pushes, (e) => { lostError = e; for (const cb of lostCbs) cb(e); });
    const onLost = (cb: (e: Error) => void): void => { if (lostError) cb(lostError); else lostCbs.push(cb); };
    return { api: wrap<BackendApi>(endpoint), onEvent, onMenu, onLost, kind: 'web' };
  }
  const port = await (portArrival ?? waitForPort());
  port.start();
  // Main owns this window and its port: the port lives as long as the page.
  return { api: wrap<BackendApi>(portEndpoint(port, pushes)), onEvent, onMenu, onLost: () => undefined, kind: 'electron' };
}
