// What a client (renderer over Electron's MessagePort, browser over the web host's WebSocket) can
// reach: a frozen, prototype-less object holding one function per BackendApi method, each parsing
// its arguments with the method's schema before it calls the backend. The backend object itself
// (with its deps: allow-list, pool, engine) is never exposed, so comlink paths such as
// ["deps","allow","allowRoot"] have nothing to walk. guardEndpoint() additionally drops, before
// comlink sees them, every message that is not a plain call of one method (GET, SET, CONSTRUCT,
// ENDPOINT, RELEASE, nested paths, proxy or handler-encoded arguments).

import { expose, type Endpoint } from 'comlink';
import * as v from 'valibot';
import type { BackendApi } from '../../shared/api';
import { SpikeDeskError, toErrorInfo } from '../../shared/errors';
import { API_ARGS, API_METHODS, type ApiMethod } from '../../shared/schema/api-schema';
import { fieldError, fieldIssues } from '../../shared/schema/fields';

const METHOD_SET: ReadonlySet<string> = new Set(API_METHODS);

/** A façade with nothing but the BackendApi methods, each validating its arguments first. */
export function createFacade(backend: BackendApi): BackendApi {
  const facade = Object.create(null) as Record<string, unknown>;
  for (const name of API_METHODS) {
    const schema = API_ARGS[name] as v.GenericSchema;
    const method = (backend[name] as (...a: unknown[]) => Promise<unknown>).bind(backend);
    const call = async (...args: unknown[]): Promise<unknown> => {
      const r = v.safeParse(schema, args);
      if (!r.success) throw fieldError(fieldIssues(r.issues, name), `${name}: the arguments are invalid`, 'BAD_REQUEST', 'the client sent a malformed request; reload the page or update SpikeDesk');
      return method(...(r.output as unknown[]));
    };
    Object.defineProperty(facade, name, { value: Object.freeze(call), enumerable: true, writable: false, configurable: false });
  }
  return Object.freeze(facade) as unknown as BackendApi;
}

/** Why a message is refused, or null when it is a plain call of one BackendApi method with raw arguments. */
export function refuseReason(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not a request object';
  const m = data as Record<string, unknown>;
  if (m.type !== 'APPLY') return `message type ${JSON.stringify(String(m.type)).slice(0, 40)} is not allowed (only method calls)`;
  if (typeof m.id !== 'string' || m.id.length === 0 || m.id.length > 128) return 'the request id is missing or malformed';
  const p = m.path;
  if (!Array.isArray(p) || p.length !== 1 || typeof p[0] !== 'string' || !METHOD_SET.has(p[0])) return 'the path is not one BackendApi method name';
  const a = m.argumentList;
  if (a !== undefined && (!Array.isArray(a) || a.length > 8)) return 'the argument list is malformed';
  // Only raw values: comlink's 'proxy' handler would build a proxy from whatever was sent, and a
  // handler that throws while decoding arguments would throw outside comlink's error handling.
  for (const w of (a ?? []) as unknown[]) {
    // (JSON drops `value: undefined`, so {type: 'RAW'} alone is an undefined argument.)
    if (typeof w !== 'object' || w === null || Array.isArray(w) || (w as { type?: unknown }).type !== 'RAW') return 'arguments must be plain values';
  }
  return null;
}

type Listener = EventListenerOrEventListenerObject;

/**
 * Wrap an endpoint so that only plain method calls reach comlink. A refused message with a usable
 * id gets a BAD_REQUEST reply (so the caller is not left waiting); the rest is dropped. `onRefused`
 * lets a host log or count refusals.
 */
export function guardEndpoint(ep: Endpoint, onRefused?: (reason: string) => void): Endpoint {
  const wrapped = new Map<Listener, (ev: MessageEvent) => void>();
  return {
    postMessage: (msg: unknown, transfer?: Transferable[]) => ep.postMessage(msg, transfer),
    addEventListener(type: string, l: Listener) {
      const w = (ev: MessageEvent): void => {
        const reason = refuseReason(ev?.data);
        if (reason === null) {
          if (typeof l === 'function') l(ev); else l.handleEvent(ev);
          return;
        }
        onRefused?.(reason);
        const id = (ev?.data as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && id.length > 0 && id.length <= 128) {
          const info = toErrorInfo(new SpikeDeskError({ code: 'BAD_REQUEST', message: `request refused: ${reason}`, fix: 'call one BackendApi method with plain arguments' }));
          ep.postMessage({ id, type: 'HANDLER', name: 'throw', value: { isError: true, info } });
        }
      };
      wrapped.set(l, w);
      ep.addEventListener(type, w as Listener);
    },
    removeEventListener(type: string, l: Listener) {
      const w = wrapped.get(l);
      if (!w) return;
      wrapped.delete(l);
      ep.removeEventListener(type, w as Listener);
    },
  };
}

/** The one way every host exposes the backend: façade + guarded endpoint. */
export function exposeBackend(backend: BackendApi, ep: Endpoint, onRefused?: (reason: string) => void): void {
  expose(createFacade(backend), guardEndpoint(ep, onRefused));
}

export type { ApiMethod };
