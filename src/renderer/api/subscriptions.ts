// Fan-out of what the backend pushes without being asked (events: progress, status, run reports;
// Electron menu commands) to the renderer's subscribers. Pushes can arrive before anyone has
// subscribed: main starts sending as soon as the port or socket is up (the demo's preparation
// status, a file named on the command line), while the stores subscribe only after React's first
// effects. Those pushes are kept, in order, and replayed to the first subscriber instead of lost.

import { isEventMessage, type BackendEvent } from '../../shared/api';
import { isMenuMessage, type MenuCommand } from '../../shared/menu';

export class Fanout<T> {
  private subs = new Set<(v: T) => void>();
  private pending: T[] = [];
  /** Pushes dropped from a full backlog (oldest first) while nobody listened. */
  dropped = 0;

  /** `cap`: most pushes kept while nobody listens (a long run's progress must not grow without bound). */
  constructor(private cap = 1000) {}

  emit(v: T): void {
    if (this.subs.size === 0) {
      this.pending.push(v);
      if (this.pending.length > this.cap) { this.pending.shift(); this.dropped++; }
      return;
    }
    for (const cb of [...this.subs]) cb(v);
  }

  /** Adds a subscriber; the first one also receives the backlog, in arrival order. */
  subscribe(cb: (v: T) => void): () => void {
    this.subs.add(cb);
    const backlog = this.pending;
    this.pending = [];
    for (const v of backlog) cb(v);
    return () => { this.subs.delete(cb); };
  }

  get subscribers(): number { return this.subs.size; }
  get backlog(): number { return this.pending.length; }
}

export interface Pushes {
  events: Fanout<BackendEvent>;
  menus: Fanout<MenuCommand>;
}

export function newPushes(): Pushes {
  return { events: new Fanout<BackendEvent>(), menus: new Fanout<MenuCommand>() };
}

/** Routes one incoming message: a push goes to its fan-out (true), anything else is an RPC reply (false). */
export function routePush(data: unknown, p: Pushes): boolean {
  if (isEventMessage(data)) { p.events.emit(data.spikedeskEvent); return true; }
  if (isMenuMessage(data)) { p.menus.emit(data.spikedeskMenu); return true; }
  return false;
}
