// Foundation figures: worker start-up time, comlink round trip to a worker, and the
// renderer-to-backend round trip over the web host's WebSocket (info() and a 32-channel
// trace window), measured on this machine.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wrap } from 'comlink';
import WebSocket from 'ws';
import type { BackendApi } from '../src/shared/api';
import { isEventMessage } from '../src/shared/api';
import { decodeWire, encodeWire } from '../src/shared/wire';
import { installRpcErrorHandler } from '../src/shared/rpc';
import { ThreadHost } from '../src/main/pool/thread-host';
import { createServices } from '../src/main/compose';
import { startWebHost } from '../src/main/web/server';
import { medianMs, type BenchContext, type BenchRow } from './types';

const entry = fileURLToPath(new URL('../src/main/pool/worker.ts', import.meta.url));

function wsApi(url: string): Promise<{ api: BackendApi; close: () => void }> {
  const ws = new WebSocket(url);
  const listeners = new Set<(ev: { data: unknown }) => void>();
  ws.on('message', (raw) => {
    const data = decodeWire(raw.toString());
    if (!isEventMessage(data)) for (const l of listeners) l({ data });
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({
      api: wrap<BackendApi>({
        postMessage: (m: unknown) => ws.send(encodeWire(m)),
        addEventListener: (_t: string, l: never) => listeners.add(l),
        removeEventListener: (_t: string, l: never) => listeners.delete(l),
      }) as unknown as BackendApi,
      close: () => ws.close(),
    }));
    ws.once('error', reject);
  });
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  installRpcErrorHandler();
  const rows: BenchRow[] = [];
  const host = new ThreadHost();
  const startups: number[] = [];
  for (let i = 0; i < (ctx.quick ? 3 : 7); i++) {
    const t0 = performance.now();
    const h = await host.spawn({ entry, name: `bench-${i}` });
    startups.push(performance.now() - t0);
    h.kill();
    await h.waitForExit(2000);
  }
  startups.sort((a, b) => a - b);
  rows.push({ area: 'foundation', name: 'worker start-up (worker_threads + tsx, to ready)', unit: 'ms', value: startups[Math.floor(startups.length / 2)], note: `median of ${startups.length}; TypeScript compiled on load (CLI, web host, tests)` });
  // The packaged app runs the bundled worker (npm run build -> out/main/worker.cjs): no compile step.
  const built = fileURLToPath(new URL('../out/main/worker.cjs', import.meta.url));
  if (fs.existsSync(built)) {
    const t: number[] = [];
    for (let i = 0; i < (ctx.quick ? 3 : 7); i++) {
      const t0 = performance.now();
      const h = await host.spawn({ entry: built, name: `bench-built-${i}` });
      t.push(performance.now() - t0);
      h.kill();
      await h.waitForExit(2000);
    }
    t.sort((a, b) => a - b);
    rows.push({ area: 'foundation', name: 'worker start-up (bundled worker.cjs, to ready)', unit: 'ms', value: t[Math.floor(t.length / 2)], note: `median of ${t.length}; as in the built app` });
  } else {
    rows.push({ area: 'foundation', name: 'worker start-up (bundled worker.cjs, to ready)', unit: 'ms', value: NaN, note: 'not measured: run npm run build first' });
  }

  const services = await createServices({ host: 'test', processHost: host, poolSize: 1, demoDir: path.join(ctx.tmpDir, 'demo') });
  try {
    const pingMs = await medianMs(() => services.pool.run((api) => api.ping()), 200, 20);
    rows.push({ area: 'foundation', name: 'main -> worker comlink round trip (ping)', unit: 'ms', value: pingMs, note: 'median of 200' });
    const web = await startWebHost({ staticDir: ctx.tmpDir, services });
    const { api, close } = await wsApi(`ws://127.0.0.1:${web.port}/rpc?token=${web.token}`);
    try {
      rows.push({ area: 'foundation', name: 'renderer -> backend round trip over WebSocket (info)', unit: 'ms', value: await medianMs(() => api.info(), 200, 20), note: 'median of 200' });
      await api.openDemo('spikes');
      const req = { channels: Array.from({ length: 32 }, (_, i) => i), startS: 10, endS: 11, pixels: 1200, view: 'raw' as const };
      rows.push({ area: 'foundation', name: 'getTraces 32 ch x 1 s @30 kHz -> 1200 px over WebSocket', unit: 'ms', value: await medianMs(() => api.getTraces(req), 20, 3), note: 'read + min/max decimation + transfer' });
    } finally {
      close();
      await web.close();
    }
  } finally {
    await services.dispose();
  }
  return rows;
}
