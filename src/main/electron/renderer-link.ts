// The backend connection of the window's renderer (Electron). Each document the window loads gets
// a new MessageChannelMain: the backend is exposed on port1 and events are posted to it. A reload
// (or any new document) replaces the previous connection: its event subscription is removed and
// its port closed, so reloads do not pile up subscriptions on the services. Menu commands sent
// while no document is connected (before the first load, during a reload) are queued and
// delivered to the next one instead of being posted to nobody.
// No 'electron' import here: the channel factory is injected (tests use the Electron emulation's).

import type { BackendEvent, EventMessage } from '../../shared/api';

export interface LinkPort {
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

export interface LinkDeps<P extends LinkPort> {
  channel(): { port1: P; port2: P };
  /** Expose the backend on the main-side port (comlink behind the façade). */
  expose(port: P): void;
  /** Subscribe to backend events; returns the unsubscribe function. */
  subscribe(cb: (e: BackendEvent) => void): () => void;
}

/** Most menu commands kept while no document is connected. */
const MAX_QUEUED = 100;

export class RendererLink<P extends LinkPort> {
  private current: { port: P; off: () => void } | null = null;
  private queued: unknown[] = [];

  constructor(private deps: LinkDeps<P>) {}

  /** A document finished loading: drop the old connection, make a new one; returns the page's port. */
  connect(): P {
    this.close();
    const { port1, port2 } = this.deps.channel();
    this.deps.expose(port1);
    const off = this.deps.subscribe((e) => port1.postMessage({ spikedeskEvent: e } satisfies EventMessage));
    port1.start();
    this.current = { port: port1, off };
    const q = this.queued;
    this.queued = [];
    for (const m of q) port1.postMessage(m);
    return port2;
  }

  /** Send to the connected document, or queue until one connects. */
  send(message: unknown): void {
    if (this.current) { this.current.port.postMessage(message); return; }
    this.queued.push(message);
    if (this.queued.length > MAX_QUEUED) this.queued.shift();
  }

  /** The document went away (window closed): unsubscribe and close its port. */
  close(): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    c.off();
    c.port.close();
  }

  get connected(): boolean { return this.current !== null; }
}
