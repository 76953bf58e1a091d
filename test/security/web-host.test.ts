// Issue #11, high severity 2 and medium 4: one tokenless request used to kill the web host
// (GET /%00, GET /%ZZ, "GET http://[::1/ HTTP/1.1" on HTTP and on the upgrade); no Host/Origin
// checks (DNS rebinding); no WebSocket error listener, so a frame over 16 MiB crashed the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_WS_MESSAGE } from '../../src/main/web/server';
import { get, RawClient, rawRequest, replyError, startRig, statusOf, type Rig } from './helpers';

let rig: Rig;
beforeAll(async () => { rig = await startRig(); });
afterAll(async () => { await rig?.close(); });

async function alive(): Promise<void> {
  expect((await get(rig.host.port, '/')).status).toBe(200);
  const c = await RawClient.open(rig.host);
  expect(replyError(await c.apply(['info']))).toBeNull();
  c.close();
}

const hostHeader = () => `127.0.0.1:${rig.host.port}`;
const upgrade = (target: string, extra = ''): string =>
  `GET ${target} HTTP/1.1\r\nHost: ${hostHeader()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('malformed requests get a 4xx, never a crash', () => {
  it('GET /%00 and GET /%ZZ (an <img src> can send both)', async () => {
    expect((await get(rig.host.port, '/%00')).status).toBe(400);
    expect((await get(rig.host.port, '/%ZZ')).status).toBe(400);
    expect((await get(rig.host.port, '/a%00.js')).status).toBe(400);
    await alive();
  });

  it('an absolute-form request line "GET http://[::1/ HTTP/1.1", on HTTP and on the upgrade', async () => {
    const a = await rawRequest(rig.host.port, `GET http://[::1/ HTTP/1.1\r\nHost: ${hostHeader()}\r\n\r\n`);
    expect(statusOf(a)).toBe(400);
    const b = await rawRequest(rig.host.port, upgrade('http://[::1/'));
    expect(statusOf(b)).toBe(400);
    const c = await rawRequest(rig.host.port, upgrade('/rpc?token=%ZZ'));
    expect(statusOf(c)).toBeGreaterThanOrEqual(400);
    await alive();
  });

  it('garbage request lines, bad headers and a bad upgrade handshake', async () => {
    for (const bytes of ['\x00\x01\x02\r\n\r\n', 'GET\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `GET / HTTP/1.1\r\nHost ${hostHeader()}\r\n\r\n`,
      `GET /rpc?token=${rig.host.token} HTTP/1.1\r\nHost: ${hostHeader()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`]) {
      const r = await rawRequest(rig.host.port, bytes);
      expect(statusOf(r), JSON.stringify(bytes)).toBeGreaterThanOrEqual(400);
      expect(statusOf(r)).toBeLessThan(500);
    }
    await alive();
  });
});

describe('Host and Origin checks (DNS rebinding, cross-site pages)', () => {
  it('refuses a foreign Host or Origin on HTTP', async () => {
    expect((await get(rig.host.port, '/', { Host: 'evil.example:80' })).status).toBe(403);
    expect((await get(rig.host.port, '/', { Host: `evil.example:${rig.host.port}` })).status).toBe(403);
    expect((await get(rig.host.port, '/', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(rig.host.port, '/', { Host: `localhost:${rig.host.port}` })).status).toBe(200);
    expect((await get(rig.host.port, '/', { Origin: `http://127.0.0.1:${rig.host.port}` })).status).toBe(200);
  });

  it('refuses a foreign Host or Origin on the WebSocket upgrade, even with the token', async () => {
    const r1 = await rawRequest(rig.host.port, upgrade(`/rpc?token=${rig.host.token}`, 'Origin: http://evil.example\r\n'));
    expect(statusOf(r1)).toBe(403);
    const r2 = await rawRequest(rig.host.port, upgrade(`/rpc?token=${rig.host.token}`).replace(hostHeader(), 'rebind.example'));
    expect(statusOf(r2)).toBe(403);
    const ok = await RawClient.open(rig.host, { Origin: `http://127.0.0.1:${rig.host.port}` });
    expect(replyError(await ok.apply(['info']))).toBeNull();
    ok.close();
  });
});

describe('WebSocket robustness', () => {
  it('a message over the cap closes that connection with 1009 and a logged reason; the host stays up', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${rig.host.port}/rpc?token=${rig.host.token}`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => undefined);
    ws.send(Buffer.alloc(MAX_WS_MESSAGE + 1024, 0x20));
    expect(await closed).toBe(1009);
    expect(rig.logs.some((l) => /over 16 MiB refused.*1009/.test(l))).toBe(true);
    await alive();
  });

  it('invalid frames (bad opcode, unmasked client frame) are handled', async () => {
    for (const frame of [Buffer.from([0x83, 0x80, 1, 2, 3, 4]), Buffer.from([0x81, 0x05, 104, 101, 108, 108, 111]), Buffer.from([0xff, 0xff, 0xff])]) {
      const r = await rawRequest(rig.host.port, Buffer.concat([Buffer.from(upgrade(`/rpc?token=${rig.host.token}`)), frame]), 800);
      expect(statusOf(r)).toBe(101);
    }
    await alive();
  });

  it('non-JSON text and binary messages are ignored', async () => {
    const c = await RawClient.open(rig.host);
    c.ws.send('not json');
    c.ws.send(Buffer.from([0, 1, 2, 3]));
    c.ws.send('{"id":"x","type":"APPLY","path":["info"],"argumentList":[{"type":"RAW","value":{"__typed":"Nope","b64":"!!"}}]}');
    expect(replyError(await c.apply(['info']))).toBeNull();
    c.close();
    await alive();
  });
});
