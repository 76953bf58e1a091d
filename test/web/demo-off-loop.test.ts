// The web host keeps answering while a demo is generated: the generation (seconds to minutes of
// CPU) runs on a pool worker, not on the host's event loop. Measured without timing thresholds on
// the machine's speed: the host's event-loop utilization while the generator advances (near 1 if
// the generation ran on the loop, near 0 if it runs elsewhere) and HTTP and RPC answers received
// while openDemo is still pending. The generation is stopped after a few percent (dispose); the
// temp file it leaves is removed when a generation starts again.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendEvent } from '../../src/shared/api';
import { createServices, type Services } from '../../src/main/compose';
import { removeDemoTemps } from '../../src/main/demo';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { startWebHost, type WebHost } from '../../src/main/web/server';

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); }).on('error', reject);
  });
}

describe('demo generation off the web host event loop', () => {
  let services: Services;
  let host: WebHost;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-demo-loop-'));
  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><p>ok</p>');
    services = await createServices({ host: 'test', processHost: new ThreadHost(), poolSize: 1, demoDir: path.join(dir, 'demo'), settingsDir: dir });
    host = await startWebHost({ staticDir: dir, services, log: () => undefined });
  });
  afterAll(async () => {
    await host?.close();
    await services?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers HTTP and RPC requests while the spike demo is being generated, with its event loop mostly idle', async () => {
    const fractions: number[] = [];
    let onStatus: () => void = () => undefined;
    services.onEvent((e: BackendEvent) => {
      if (e.type === 'status' && e.message && e.fraction > 0) { fractions.push(e.fraction); onStatus(); }
    });
    const progressed = (n: number) => new Promise<void>((resolve) => {
      const check = () => { if (fractions.length >= n) resolve(); };
      onStatus = check;
      check();
    });
    let settled = false;
    const opening = services.backend.openDemo('spikes').then(() => 'done', (e: unknown) => String(e)).finally(() => { settled = true; });

    await progressed(1); // the generator is running
    const elu0 = performance.eventLoopUtilization();
    let answered = 0;
    let stop = false;
    const requests = (async () => {
      while (!stop) {
        expect(await get(`http://127.0.0.1:${host.port}/`)).toBe(200);
        expect((await services.backend.info()).poolSize).toBe(1);
        if (!settled) answered++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await progressed(3); // two more percent of the demo written
    stop = true;
    await requests;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    console.log(`event-loop utilization while generating: ${elu.toFixed(3)}; ${answered} HTTP+RPC answers during ${fractions.length} progress steps`);
    expect(settled).toBe(false); // all of this happened while the demo was still being generated
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(elu).toBeLessThan(0.5);

    // Stop the generation: the worker is shut down with the pool, openDemo rejects, nothing is stamped.
    await services.dispose();
    expect(await opening).toMatch(/WORKER_FAILED|CANCELLED|stopped|shut down/);
    expect(fs.existsSync(path.join(dir, 'demo', 'spikes', 'demo.json'))).toBe(false);

    // The killed generation left its temp file; the next generation start removes it (this process's
    // only when the backend says none of its own runs), and those of processes that are gone.
    const temps = () => fs.readdirSync(path.join(dir, 'demo', 'spikes'), { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
    expect(temps().length).toBeGreaterThan(0);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
    const dead = path.join(dir, 'demo', 'spikes', `.clean.f32.${gone}.1.0.tmp`);
    fs.writeFileSync(dead, 'x');
    expect(removeDemoTemps('spikes', path.join(dir, 'demo'))).toEqual([dead]);
    expect(temps().length).toBeGreaterThan(0);
    expect(removeDemoTemps('spikes', path.join(dir, 'demo'), true).length).toBeGreaterThan(0);
    expect(temps()).toEqual([]);
  }, 240_000);
});
