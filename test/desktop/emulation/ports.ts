// MessageChannelMain / MessagePortMain with Electron's semantics, not Node's:
//  - events are {data, ports} objects through EventEmitter 'message' (Node's MessagePort emits the
//    bare value);
//  - messages queue until start() is called (Node's port starts when a listener is added);
//  - the transfer list holds MessagePortMain objects only: an ArrayBuffer (transferable in Node)
//    makes postMessage throw, and buffers inside the message are copied;
//  - 'close' fires on the other end when a port is closed or its page goes away;
//  - posting on a closed or transferred port is silently dropped.
// Ports may be entangled with another MessagePortMain or with a bridge into a page (window.ts).
import { EmuEmitter } from './emitter';

/** The far side of an entangled port: another MessagePortMain or a page bridge. */
export interface Entangled {
  receive(data: unknown, ports: MessagePortMain[]): void;
  remoteClosed(): void;
  setOther(o: Entangled | null): void;
}

export class MessagePortMain extends EmuEmitter implements Entangled {
  private other: Entangled | null = null;
  private started = false;
  private closed = false;
  /** Transferred away (its channel now lives in a new port object or in a page). */
  neutered = false;
  private queue: { data: unknown; ports: MessagePortMain[] }[] = [];
  private flushing = false;

  constructor() { super('MessagePortMain'); }

  setOther(o: Entangled | null): void { this.other = o; }

  postMessage(message?: unknown, transfer?: unknown): void {
    if (arguments.length < 1) throw new TypeError('Expected at least one argument to postMessage');
    const ports = checkTransfer(transfer, this);
    const data = structuredClone(message); // DataCloneError for functions, as V8's serializer throws
    if (this.closed || this.neutered || !this.other) return;
    const moved = ports.map((p) => p.moveOut());
    this.other.receive(data, moved);
  }

  start(): void {
    if (this.closed || this.neutered) return;
    this.started = true;
    this.schedule();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const o = this.other;
    this.other = null;
    this.queue = [];
    o?.remoteClosed();
  }

  /** Entangled side delivers a message (queued until start()). */
  receive(data: unknown, ports: MessagePortMain[]): void {
    if (this.closed || this.neutered) return;
    this.queue.push({ data, ports });
    this.schedule();
  }

  remoteClosed(): void {
    if (this.closed) return;
    this.other = null;
    setImmediate(() => this.fire('close'));
  }

  /** Transfer: a fresh port object takes over this port's channel and queue. */
  moveOut(): MessagePortMain {
    const fresh = new MessagePortMain();
    fresh.other = this.other;
    fresh.queue = this.queue;
    this.other?.setOther(fresh);
    this.other = null;
    this.queue = [];
    this.neutered = true;
    return fresh;
  }

  /** Hand this port's channel to something else (a page bridge); this object becomes neutered. */
  detachTo(target: Entangled): { pending: { data: unknown; ports: MessagePortMain[] }[] } {
    const pending = this.queue;
    target.setOther(this.other);
    this.other?.setOther(target);
    this.other = null;
    this.queue = [];
    this.neutered = true;
    return { pending };
  }

  private schedule(): void {
    if (!this.started || this.flushing || !this.queue.length) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      while (this.started && !this.closed && this.queue.length) {
        const m = this.queue.shift()!;
        this.fire('message', { data: m.data, ports: m.ports });
      }
    });
  }
}

/** Electron's transfer-list rules (shell/browser/api/message_port.cc): MessagePortMain[] only. */
export function checkTransfer(transfer: unknown, self?: MessagePortMain): MessagePortMain[] {
  if (transfer === undefined) return [];
  if (!Array.isArray(transfer)) throw new TypeError('Error processing argument at index 1, conversion failure from a non-array transfer list');
  const seen = new Set<MessagePortMain>();
  transfer.forEach((p, i) => {
    if (!(p instanceof MessagePortMain)) {
      const what = p instanceof ArrayBuffer ? 'ArrayBuffer' : p === null ? 'null' : typeof p;
      throw new TypeError(`Error processing argument at index 1, conversion failure from ${what} at index ${i}: transfer lists hold MessagePortMain objects only`);
    }
    if (p === self) throw new Error(`Port at index ${i} contains the source port.`);
    if (p.neutered) throw new Error(`Port at index ${i} is already neutered.`);
    if (seen.has(p)) throw new Error(`Port at index ${i} is a duplicate.`);
    seen.add(p);
  });
  return transfer as MessagePortMain[];
}

export class MessageChannelMain {
  readonly port1 = new MessagePortMain();
  readonly port2 = new MessagePortMain();
  constructor() {
    this.port1.setOther(this.port2);
    this.port2.setOther(this.port1);
  }
}
