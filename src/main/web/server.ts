// The web host: serves the renderer to a browser and the backend over a WebSocket, bound to
// 127.0.0.1 only, with a random token that every connection must present.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeWire } from '../../shared/wire';
import type { EventMessage } from '../../shared/api';
import { installRpcErrorHandler } from '../../shared/rpc';
import type { Services } from '../compose';
import { exposeBackend } from '../security/facade';
import { newToken, tokenMatches } from '../security/token';
import { checkHostOrigin, isRefusal, parseTarget } from './request-guard';
import { wsEndpoint } from './ws-endpoint';

/** Largest WebSocket message accepted; larger ones close the connection with 1009 (Message Too Big). */
export const MAX_WS_MESSAGE = 16 * 1024 * 1024;

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:*",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon', '.woff2': 'font/woff2',
};

export interface WebHostOptions {
  staticDir: string;
  services: Services;
  port?: number;
  token?: string;
  /** Where refused requests and socket errors are reported (default: console.warn, rate-limited). */
  log?: (line: string) => void;
  /** Ping interval; a socket that has not answered the previous ping is dropped (default HEARTBEAT_MS). */
  heartbeatMs?: number;
}

/**
 * Every 30 s each socket is pinged; one that did not answer the previous ping (a laptop lid closed,
 * a network gone without a FIN) is terminated, so its event subscription and comlink proxies go
 * instead of waiting for the OS's TCP timeout (hours). Browsers answer pings by themselves.
 */
export const HEARTBEAT_MS = 30_000;

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  installRpcErrorHandler();
  const token = opts.token ?? newToken();
  const root = path.resolve(opts.staticDir);
  const log = opts.log ?? rateLimitedWarn();
  let port = 0;
  const server = http.createServer((req, res) => {
    try {
      serveStatic(root, port, req, res);
    } catch (e) {
      // Nothing a request carries may take the host down: an unexpected failure is a 400.
      log(`request refused (${e instanceof Error ? e.message : String(e)})`);
      if (!res.headersSent) res.writeHead(400, BASE_HEADERS);
      res.end();
    }
  });
  // Request lines and headers Node cannot parse: answer 400 and drop the connection.
  server.on('clientError', (_err, socket) => refuseSocket(socket, 400, 'malformed request'));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE });
  wss.on('error', (e) => log(`websocket server error: ${e.message}`));
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        log('websocket dropped: no answer to the last ping');
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, opts.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const t = parseTarget(req.url);
      if (isRefusal(t)) { refuseSocket(socket, t.status, t.reason); return; }
      const bad = checkHostOrigin(req, port);
      if (bad) { refuseSocket(socket, bad.status, bad.reason); return; }
      if (t.pathname !== '/rpc' || !tokenMatches(token, t.params.get('token'))) { refuseSocket(socket, 401, 'missing or wrong token'); return; }
      wss.handleUpgrade(req, socket, head, (ws) => connect(ws));
    } catch (e) {
      log(`upgrade refused (${e instanceof Error ? e.message : String(e)})`);
      refuseSocket(socket, 400, 'malformed upgrade request');
    }
  });

  const connect = (ws: WebSocket): void => {
    // Without this listener a protocol error or a message over MAX_WS_MESSAGE would crash the host.
    ws.on('error', (e: Error & { code?: string }) => {
      log(e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || /max payload/i.test(e.message)
        ? `websocket message over ${MAX_WS_MESSAGE / 1024 / 1024} MiB refused; connection closed (1009 Message Too Big)`
        : `websocket error: ${e.message}`);
    });
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    exposeBackend(opts.services.backend, wsEndpoint(ws), (reason) => log(`rpc refused: ${reason}`));
    const off = opts.services.onEvent((e) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeWire({ spikedeskEvent: e } satisfies EventMessage));
    });
    ws.on('close', off);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      clearInterval(heartbeat);
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const BASE_HEADERS = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

function refuseSocket(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) {
    const body = `${reason}\n`;
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}

function rateLimitedWarn(): (line: string) => void {
  let windowStart = 0, count = 0;
  return (line) => {
    const now = Date.now();
    if (now - windowStart > 10_000) { windowStart = now; count = 0; }
    if (++count <= 5) console.warn(`spikedesk web host: ${line}`);
  };
}

function serveStatic(root: string, port: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  const headers = BASE_HEADERS;
  const refuse = (status: number, reason: string): void => { res.writeHead(status, { ...headers, 'Content-Type': 'text/plain' }).end(`${reason}\n`); };
  const bad = checkHostOrigin(req, port);
  if (bad) { refuse(bad.status, bad.reason); return; }
  if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, headers).end(); return; }
  const t = parseTarget(req.url);
  if (isRefusal(t)) { refuse(t.status, t.reason); return; }
  let rel = t.pathname;
  if (rel === '/' || rel === '') rel = '/index.html';
  const file = path.resolve(root, `.${rel}`);
  if (!file.startsWith(root + path.sep)) { refuse(403, 'outside the web root'); return; }
  fs.readFile(file, (err, body) => {
    if (err) { refuse(404, 'not found'); return; }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}
