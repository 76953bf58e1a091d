// Checks every web-host request before it is acted on: the Host header must name this host
// (127.0.0.1 or localhost with our port: DNS-rebinding defence), a browser's Origin must be our own,
// and the request target must parse. Each check returns a status + reason instead of throwing,
// so a malformed request can only ever produce a 4xx.

import type http from 'node:http';

export interface Refusal { status: number; reason: string }

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/** Host must be ours; Origin, when a browser sends one, must be ours too. */
export function checkHostOrigin(req: http.IncomingMessage, port: number): Refusal | null {
  const host = req.headers.host;
  if (typeof host !== 'string' || !allowedHosts(port).has(host.toLowerCase())) {
    return { status: 403, reason: `Host "${String(host).slice(0, 100)}" is not this SpikeDesk host; open http://127.0.0.1:${port}/` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).has(String(origin).toLowerCase())) {
    return { status: 403, reason: 'cross-origin requests are refused' };
  }
  return null;
}

export interface Target { pathname: string; params: URLSearchParams }

/** The decoded path and query of a request, or a 400 for anything that does not parse. */
export function parseTarget(rawUrl: string | undefined): Target | Refusal {
  const raw = rawUrl ?? '/';
  // Origin-form only ("/path?query"): absolute-form targets ("GET http://[::1/") are not for us.
  if (!raw.startsWith('/') || raw.startsWith('//')) return { status: 400, reason: 'malformed request target' };
  let url: URL;
  try { url = new URL(raw, 'http://127.0.0.1'); } catch { return { status: 400, reason: 'malformed request target' }; }
  let pathname: string;
  try { pathname = decodeURIComponent(url.pathname); } catch { return { status: 400, reason: 'malformed percent-encoding in the path' }; }
  if (pathname.includes('\0')) return { status: 400, reason: 'NUL byte in the path' };
  return { pathname, params: url.searchParams };
}

export function isRefusal(x: Target | Refusal): x is Refusal {
  return (x as Refusal).status !== undefined;
}
