// The web host: bound to 127.0.0.1, WebSocket upgrades refused without the token, the backend
// reachable with it, static files served with the CSP and no path traversal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import WebSocket from 'ws';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { startWebHost, type WebHost } from '../../src/main/web/server';
import { decodeWire, encodeWire } from '../../src/shared/wire';

function get(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('web host', () => {
  let services: Services;
  let host: WebHost;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-web-'));
  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><p>ok</p>');
    services = await createServices({ host: 'test', processHost: new ThreadHost(), poolSize: 1, demoDir: path.join(dir, 'demo'), settingsDir: dir });
    host = await startWebHost({ staticDir: dir, services });
  });
  afterAll(async () => {
    await host?.close();
    await services?.dispose();
  });

  it('prints a 127.0.0.1 URL carrying the token', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=${host.token}$`));
  });

  it('refuses WebSocket connections without the right token', async () => {
    await expect(connect(`ws://127.0.0.1:${host.port}/rpc`)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${host.port}/rpc?token=wrong`)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${host.port}/other?token=${host.token}`)).rejects.toThrow(/401/);
  });

  it('answers backend calls with the token (comlink over the socket)', async () => {
    const ws = await connect(`ws://127.0.0.1:${host.port}/rpc?token=${host.token}`);
    const reply = new Promise<unknown>((resolve) => ws.on('message', (m) => resolve(decodeWire(m.toString()))));
    ws.send(encodeWire({ id: 'x1', type: 'APPLY', path: ['info'], argumentList: [] }));
    const r = (await reply) as { id: string; value: { host: string; poolSize: number } };
    expect(r.id).toBe('x1');
    expect(r.value.host).toBe('test');
    expect(r.value.poolSize).toBe(1);
    ws.close();
  });

  it('serves static files with the CSP and blocks traversal', async () => {
    const ok = await get(`http://127.0.0.1:${host.port}/`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const up = await get(`http://127.0.0.1:${host.port}/..%2f..%2fetc%2fpasswd`);
    expect([403, 404]).toContain(up.status);
    expect(up.body).not.toMatch(/root:/);
  });
});
