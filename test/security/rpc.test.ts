// Issue #11, high severity 1: a client holding the token could walk comlink paths into the backend's
// internals (APPLY deps.allow.allowRoot("/"), SET deps.pool.entry = data: module, then setPoolSize).
// Every attempt here must be refused with an error reply, change nothing, and leave the host serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { createFacade, exposeBackend, refuseReason } from '../../src/main/security/facade';
import { electronPortEndpoint } from '../../src/workers/endpoint';
import { API_METHODS } from '../../src/shared/schema/api-schema';
import { installRpcErrorHandler } from '../../src/shared/rpc';
import { RawClient, replyError, startRig, type Rig } from './helpers';

let rig: Rig;
let c: RawClient;
beforeAll(async () => { rig = await startRig(); c = await RawClient.open(rig.host); });
afterAll(async () => { c?.close(); await rig?.close(); });

async function alive(client: RawClient = c): Promise<void> {
  const r = await client.apply(['info']);
  expect(replyError(r)).toBeNull();
  expect((r!.value as { host: string }).host).toBe('test');
}

function poolEntry(): string { return (rig.services.pool as unknown as { entry: string }).entry; }

describe('comlink façade over the web host', () => {
  it('refuses APPLY deps.allow.allowRoot("/") and the allow-list stays closed', async () => {
    const e = replyError(await c.apply(['deps', 'allow', 'allowRoot'], ['/']));
    expect(e?.code).toBe('BAD_REQUEST');
    expect(rig.services.allow.isAllowed('/etc/passwd')).toBe(false);
    const open = replyError(await c.apply(['openRecording'], ['/etc/passwd']));
    expect(open?.code).toBe('PATH_NOT_ALLOWED');
    await alive();
  });

  it('refuses SET deps.pool.entry to a data: module; setPoolSize afterwards runs our own worker', async () => {
    const before = poolEntry();
    const e = replyError(await c.send({ type: 'SET', path: ['deps', 'pool', 'entry'], value: { type: 'RAW', value: 'data:text/javascript,process.exit(7)' } }));
    expect(e?.code).toBe('BAD_REQUEST');
    expect(poolEntry()).toBe(before);
    const r = await c.apply(['setPoolSize'], [2]);
    expect(replyError(r)).toBeNull();
    expect(poolEntry()).toBe(before);
    await c.apply(['setPoolSize'], [1]);
    await alive();
  });

  it('refuses GET of fields, nested paths, prototype walks and non-methods', async () => {
    const paths = [['deps'], ['deps', 'allow'], ['source'], ['sort'], ['constructor'], ['__proto__'], ['info', 'call'],
      ['info', 'constructor'], ['toString'], ['dispose'], ['sessionDir'], ['current'], [], ['INFO'], ['info', 'bind']];
    for (const p of paths) {
      expect(replyError(await c.send({ type: 'GET', path: p }))?.code, `GET ${p.join('.')}`).toBe('BAD_REQUEST');
      expect(replyError(await c.apply(p))?.code, `APPLY ${p.join('.')}`).toBe('BAD_REQUEST');
    }
    await alive();
  });

  it('refuses CONSTRUCT, ENDPOINT, RELEASE and unknown message types', async () => {
    for (const type of ['CONSTRUCT', 'ENDPOINT', 'RELEASE', 'apply', 'X']) {
      expect(replyError(await c.send({ type, path: ['info'], argumentList: [] }))?.code, type).toBe('BAD_REQUEST');
    }
    await alive();
  });

  it('refuses handler-encoded arguments (proxy, throw) that comlink would decode', async () => {
    for (const name of ['proxy', 'throw']) {
      const r = await c.send({ type: 'APPLY', path: ['openDemo'], argumentList: [{ type: 'HANDLER', name, value: { isError: true, info: 'x' } }] });
      expect(replyError(r)?.code, name).toBe('BAD_REQUEST');
    }
    await alive();
  });

  it('validates every argument with the schema: bad arguments get a field-by-field BAD_REQUEST', async () => {
    const cases: [string, unknown[]][] = [
      ['openDemo', ['../../etc']],
      ['setPoolSize', [1e9]],
      ['setPoolSize', ['2']],
      ['openRecording', ['x'.repeat(10_000)]],
      ['openRecording', ['/tmp/a\0b']],
      ['openRecording', ['/tmp/x.dat', { channels: 4, rate: 1e15 }]],
      ['getTraces', [{ channels: [0], startS: 0, endS: 1, pixels: 1e9, view: 'raw' }]],
      ['runPipeline', [{ workflow: 'sort', params: {}, mode: { kind: 'fast', jobs: 1, memoryBudgetMB: 1 } }]],
      ['curate', [{ kind: 'recluster', id: 1, k: 1e9 }]],
      ['curate', [{ kind: 'labels', labels: [{ id: 1, label: 'best' }] }]],
      ['curate', [{ kind: 'labels', labels: [] }]],
      ['curate', [{ kind: 'labels', labels: [{ id: 1, label: 'good', extra: 1 }] }]],
      ['exportSorted', ['phy', '/tmp/out', 'yes']],
      ['info', [1, 2, 3]],
    ];
    for (const [m, a] of cases) {
      const e = replyError(await c.apply([m], a));
      expect(e?.code, `${m}(${JSON.stringify(a).slice(0, 60)})`).toBe('BAD_REQUEST');
      expect(e?.fields?.length, m).toBeGreaterThan(0);
    }
    await alive();
  });

  it('an undefined argument (JSON drops value: undefined, as the browser sends openRecording()) is accepted', async () => {
    const r = await c.send({ type: 'APPLY', path: ['getSortOverview'], argumentList: [] });
    expect(replyError(r)?.code).toBe('NOT_FOUND');
    const u = await c.send({ type: 'APPLY', path: ['curate'], argumentList: [{ type: 'RAW', value: { kind: 'label', ids: [1], label: 'good' } }, { type: 'RAW' }] });
    expect(replyError(u)?.code).toBe('NOT_FOUND'); // passed the guard and the schema; the backend says nothing is open
    await alive();
  });

  it('a valid call still works and gets a typed error from the backend itself', async () => {
    expect(replyError(await c.apply(['listChannels']))?.code).toBe('NOT_FOUND');
    await alive();
  });
});

describe('the façade object', () => {
  it('holds the BackendApi methods only: no prototype, no fields, frozen', () => {
    const f = createFacade(rig.services.backend) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(f)).toBeNull();
    expect(Object.isFrozen(f)).toBe(true);
    expect(Object.keys(f).sort()).toEqual([...API_METHODS].sort());
    for (const k of Object.keys(f)) {
      expect(typeof f[k]).toBe('function');
      expect(Object.isFrozen(f[k])).toBe(true);
    }
    expect(f.deps).toBeUndefined();
    expect(() => { f.deps = 1; }).toThrow(TypeError);
  });

  it('every message refusal reason is reported for malformed shapes', () => {
    for (const m of [null, 1, 'x', [], { type: 'APPLY' }, { type: 'APPLY', id: 'a', path: 'info' }, { type: 'APPLY', id: 'a'.repeat(200), path: ['info'] },
      { type: 'APPLY', id: 'a', path: ['info'], argumentList: 'x' }, { type: 'APPLY', id: 'a', path: ['info'], argumentList: [1] }]) {
      expect(refuseReason(m)).not.toBeNull();
    }
    expect(refuseReason({ type: 'APPLY', id: 'a', path: ['info'], argumentList: [] })).toBeNull();
  });
});

describe('the same guard on the Electron MessagePort path', () => {
  it('refuses the attacks on an Electron-style port and answers a plain call', async () => {
    installRpcErrorHandler();
    const port = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void; start(): void };
    const sent: { id?: string; type?: string; name?: string; value?: unknown }[] = [];
    port.postMessage = (m: unknown) => { sent.push(m as never); };
    port.start = () => undefined;
    exposeBackend(rig.services.backend, electronPortEndpoint(port));
    const deliver = async (data: unknown): Promise<(typeof sent)[number] | undefined> => {
      const id = (data as { id: string }).id;
      port.emit('message', { data, ports: [] });
      for (let i = 0; i < 100 && !sent.some((s) => s.id === id); i++) await new Promise((r) => setTimeout(r, 10));
      return sent.find((s) => s.id === id);
    };
    const before = poolEntry();
    const a = await deliver({ id: 'e1', type: 'APPLY', path: ['deps', 'allow', 'allowRoot'], argumentList: [{ type: 'RAW', value: '/' }] });
    expect(a?.name).toBe('throw');
    const s = await deliver({ id: 'e2', type: 'SET', path: ['deps', 'pool', 'entry'], value: { type: 'RAW', value: 'data:text/javascript,1' } });
    expect(s?.name).toBe('throw');
    expect(rig.services.allow.isAllowed('/etc/passwd')).toBe(false);
    expect(poolEntry()).toBe(before);
    const ok = await deliver({ id: 'e3', type: 'APPLY', path: ['info'], argumentList: [] });
    expect(ok?.type).toBe('RAW');
    expect((ok?.value as { host: string }).host).toBe('test');
  });
});
