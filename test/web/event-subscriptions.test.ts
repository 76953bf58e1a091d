// The web host subscribes each WebSocket connection to backend events and removes the
// subscription when the socket closes: page reloads (a new socket each, the old one closed by the
// browser) and dropped connections leave no subscriptions behind on the services.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { startWebHost, type WebHost } from '../../src/main/web/server';

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('web host event subscriptions', () => {
  let services: Services;
  let host: WebHost;
  let active = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-web-subs-'));
  beforeAll(async () => {
    services = await createServices({ host: 'test', processHost: new ThreadHost(), poolSize: 1, demoDir: path.join(dir, 'demo'), settingsDir: dir });
    // Count live subscriptions (the host subscribes through services.onEvent on each connection).
    const subscribe = services.onEvent.bind(services);
    services.onEvent = (cb) => {
      active++;
      const off = subscribe(cb);
      return () => { active--; off(); };
    };
    host = await startWebHost({ staticDir: dir, services, log: () => undefined });
  });
  afterAll(async () => {
    await host?.close();
    await services?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('closing sockets (reloads) and dropping them (terminate) removes their subscriptions', async () => {
    const url = `ws://127.0.0.1:${host.port}/rpc?token=${host.token}`;
    for (let i = 0; i < 3; i++) {
      const ws = await open(url);
      await expect.poll(() => active).toBe(1);
      const closed = new Promise((r) => ws.once('close', r));
      if (i === 2) ws.terminate(); else ws.close(1001); // 1001 going away: what a browser sends on reload
      await closed;
      await expect.poll(() => active).toBe(0);
    }
  });

  it('a socket that stops answering pings is dropped with its subscription; one that answers stays', async () => {
    const lines: string[] = [];
    const beat = await startWebHost({ staticDir: dir, services, log: (l) => lines.push(l), heartbeatMs: 100 });
    try {
      const url = `ws://127.0.0.1:${beat.port}/rpc?token=${beat.token}`;
      const answering = await open(url);
      // A vanished peer: connected, then silent (no pong, no close).
      const silent = await new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, { autoPong: false });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
      await expect.poll(() => active).toBe(2);
      const closed = new Promise((r) => silent.once('close', r));
      await closed;
      await expect.poll(() => active).toBe(1);
      expect(lines).toContain('websocket dropped: no answer to the last ping');
      await new Promise((r) => setTimeout(r, 350));
      expect(answering.readyState).toBe(WebSocket.OPEN);
      answering.close();
      await expect.poll(() => active).toBe(0);
    } finally {
      await beat.close();
    }
  });
});
