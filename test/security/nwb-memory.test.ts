// Issue #11, medium 8: reading NWB cost ~600 MB per thread when h5wasm was imported through tsx,
// against ~80 MB in plain Node. Shipped code runs as JavaScript; this test builds the reader the way
// a JS build does (esbuild bundle, h5wasm external) and checks that a worker thread opening and
// reading an NWB file keeps the process under 150 MB resident.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT_MB = 150;

describe('NWB in a worker (JavaScript build)', () => {
  it(`opens and reads small.nwb in a worker thread under ${LIMIT_MB} MB RSS`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-nwbmem-'));
    const bundle = path.join(dir, 'io.mjs');
    buildSync({ entryPoints: [path.join(root, 'src/main/io/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle,
      external: ['h5wasm', 'h5wasm/*'], logLevel: 'silent', nodePaths: [path.join(root, 'node_modules')] });
    const worker = path.join(dir, 'worker.mjs');
    fs.writeFileSync(worker, `
      import { parentPort, workerData } from 'node:worker_threads';
      const { openSource } = await import(workerData.bundle);
      const src = await openSource(workerData.file);
      const n = src.meta.nSamples;
      const out = src.read(src.meta.channels.map((_, i) => i), 0, n);
      src.close();
      parentPort.postMessage({ rssMB: process.memoryUsage().rss / 1048576, values: out.reduce((s, a) => s + a.length, 0) });
    `);
    const main = path.join(dir, 'main.mjs');
    fs.writeFileSync(main, `
      import { Worker } from 'node:worker_threads';
      const w = new Worker(${JSON.stringify(worker)}, { workerData: { bundle: ${JSON.stringify(bundle)}, file: process.argv[2] } });
      w.once('message', (m) => { console.log(JSON.stringify({ ...m, peakMB: process.resourceUsage().maxRSS / 1024 })); process.exit(0); });
      w.once('error', (e) => { console.error(e); process.exit(1); });
    `);
    // Run from a folder under the repository so 'h5wasm' resolves from its node_modules.
    const runDir = fs.mkdtempSync(path.join(root, 'node_modules', '.sd-nwbmem-'));
    try {
      for (const f of ['io.mjs', 'worker.mjs', 'main.mjs']) fs.copyFileSync(path.join(dir, f), path.join(runDir, f));
      const fix = (s: string) => s.split(dir).join(runDir);
      for (const f of ['worker.mjs', 'main.mjs']) fs.writeFileSync(path.join(runDir, f), fix(fs.readFileSync(path.join(runDir, f), 'utf8')));
      const r = spawnSync(process.execPath, [path.join(runDir, 'main.mjs'), path.join(root, 'test/fixtures/io/small.nwb')], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rssMB: number; peakMB: number; values: number };
      expect(m.values).toBeGreaterThan(0);
      expect(m.peakMB).toBeLessThan(LIMIT_MB);
      console.log(`NWB in a worker (JS build): RSS ${m.rssMB.toFixed(0)} MB, peak ${m.peakMB.toFixed(0)} MB`);
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
