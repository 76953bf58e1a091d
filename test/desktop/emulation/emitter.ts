// EventEmitter base for the emulated Electron objects. Errors thrown (or rejected) by the app's
// listeners are main-process errors: Electron shows them in an error dialog and keeps running;
// the emulation records them for the test (see MainErrors) instead of crashing the test runner.
import { EventEmitter } from 'node:events';

export class MainErrors {
  readonly list: Error[] = [];
  private waiters: ((e: Error) => void)[] = [];
  add(e: unknown, where: string): void {
    const err = e instanceof Error ? e : new Error(String(e));
    err.message = `[${where}] ${err.message}`;
    this.list.push(err);
    for (const w of this.waiters.splice(0)) w(err);
  }
  /** Resolves with the next main-process error. */
  next(): Promise<Error> { return new Promise((r) => this.waiters.push(r)); }
}

export const mainErrors = new MainErrors();

export class EmuEmitter extends EventEmitter {
  constructor(protected readonly emuName: string) {
    super({ captureRejections: true });
  }
  /** Async listener rejections (captureRejections) land here. */
  [Symbol.for('nodejs.rejection')](err: unknown, event: string): void {
    mainErrors.add(err, `${this.emuName} '${event}' listener`);
  }
  /** Emit from the emulation: a throwing listener is a main-process error, not ours. */
  fire(event: string, ...args: unknown[]): boolean {
    try {
      return this.emit(event, ...args);
    } catch (e) {
      mainErrors.add(e, `${this.emuName} '${event}' listener`);
      return true;
    }
  }
}

/** Event object with preventDefault, as Electron passes to preventable events. */
export function preventable<T extends object>(extra: T = {} as T): T & { preventDefault(): void; defaultPrevented: boolean } {
  const ev = { ...extra, defaultPrevented: false, preventDefault() { ev.defaultPrevented = true; } };
  return ev;
}
