// Shared set-up of the security tests: a real web host over a real backend, and a raw client that
// sends hand-made comlink messages (what an attacker holding the token could send).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { startWebHost, type WebHost } from '../../src/main/web/server';
import { decodeWire, encodeWire } from '../../src/shared/wire';

export interface Rig { services: Services; host: WebHost; dir: string; logs: string[]; close(): Promise<void> }

export async function startRig(): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-sec-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><p>ok</p>');
  const services = await createServices({ host: 'test', processHost: new ThreadHost(), poolSize: 1, demoDir: path.join(dir, 'demo'), settingsDir: dir });
  const logs: string[] = [];
  const host = await startWebHost({ staticDir: dir, services, log: (l) => logs.push(l) });
  return { services, host, dir, logs, async close() { await host.close(); await services.dispose(); } };
}

export interface Reply { id: string; type?: string; value?: unknown; name?: string }

export class RawClient {
  private n = 0;
  private waiting = new Map<string, (r: Reply) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => {
      const r = decodeWire(m.toString()) as Reply;
      if (r && typeof r.id === 'string') this.waiting.get(r.id)?.(r);
    });
  }

  static open(host: WebHost, headers: Record<string, string> = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}`, { headers });
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Send one message; resolves with the reply of the same id, or null after `ms`. */
  send(msg: Record<string, unknown>, ms = 2000): Promise<Reply | null> {
    const id = typeof msg.id === 'string' ? msg.id : `m${++this.n}`;
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.waiting.delete(id); resolve(null); }, ms);
      this.waiting.set(id, (r) => { clearTimeout(t); this.waiting.delete(id); resolve(r); });
      this.ws.send(encodeWire({ id, ...msg }));
    });
  }

  apply(method: string[], args: unknown[] = []): Promise<Reply | null> {
    return this.send({ type: 'APPLY', path: method, argumentList: args.map((value) => ({ type: 'RAW', value })) });
  }

  close(): void { this.ws.close(); }
}

/** The error a reply carries (comlink 'throw' handler), or null for a success. */
export function replyError(r: Reply | null): { code: string; message: string; fields?: { path: string }[] } | null {
  if (!r || r.type !== 'HANDLER' || r.name !== 'throw') return null;
  return (r.value as { info: { code: string; message: string } }).info;
}

export function get(port: number, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, headers, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Send raw bytes on a TCP connection and collect whatever comes back until the peer closes (or ms). */
export function rawRequest(port: number, bytes: string | Buffer, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    const done = (): void => { clearTimeout(t); s.destroy(); resolve(out); };
    const t = setTimeout(done, ms);
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => s.write(bytes));
  });
}

export function statusOf(raw: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  return m ? Number(m[1]) : 0;
}
