// Worker thread of bench/tf-child.ts: computes tasks (a channel, or a channel's frequency batch) of
// the Morlet transform from a float32 channels x samples file with the same chunked kernel the
// engine's tf stage runs (whole channel in memory, chunks on the stage grid).
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { tfChunk, tfGrid, type TfKernelParams } from '../src/workers/tf/chunk';

interface Job { file: string; n: number; sfreq: number; channel: number; params: TfKernelParams }

const port = parentPort!;
void workerData;
// Tell the parent the modules are loaded, so the timed run does not include their compilation.
port.postMessage({ ready: true });
port.on('message', (job: Job) => {
  const { file, n, sfreq, channel, params } = job;
  const x = new Float32Array(n);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, new Uint8Array(x.buffer), 0, x.byteLength, channel * n * 4);
  fs.closeSync(fd);
  const { block, margin } = tfGrid(params, n, sfreq);
  const parts = [];
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    const a = Math.max(0, s - margin), b = Math.min(n, e + margin);
    parts.push(tfChunk(params, x.subarray(a, b), a, s, e, n, sfreq));
  }
  const buffers = parts.map((p) => p.power);
  port.postMessage({ channel, parts: parts.map((p) => ({ o0: p.o0, o1: p.o1, power: p.power })) }, buffers.map((b) => b.buffer as ArrayBuffer));
});
