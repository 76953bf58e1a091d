// Child process of bench/tf.bench.ts: runs the Morlet transform of every channel of one or more
// float32 channels x samples files on W worker threads with one strategy, keeps the float32 power
// (channels x freqs x times) in memory as the CLI's power.npy holds it, and prints wall time and
// peak RSS (VmHWM: the process and its worker threads) as JSON.
// Usage: node --import tsx bench/tf-child.ts JSON  ({files, channels, n, sfreq, freqs, nCycles, decim, workers, strategy, batches})
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { cwtGeometry } from '../src/workers/tf/cwt';
import { batchIndices } from '../src/workers/tf/strategy';

interface Opts { files: string[]; channels: number; n: number; sfreq: number; freqs: number[]; nCycles: number; decim: number; workers: number; strategy: 'channel' | 'frequency' | 'recording'; batches: number }

function hwmMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]) as Opts;
  const params = { freqs: o.freqs, nCycles: o.nCycles, zeroMean: false, decim: o.decim, phase: false };
  const g = cwtGeometry(o.n, o.sfreq, params);
  const nF = o.freqs.length;
  const outs = o.files.map(() => new Float32Array(o.channels * nF * g.nOut));
  const bootstrap = fileURLToPath(new URL('../src/main/pool/ts-bootstrap.mjs', import.meta.url));
  const entry = new URL('./tf-worker.ts', import.meta.url).href;
  const workers = Array.from({ length: o.workers }, () => new Worker(bootstrap, { workerData: { entry } }));
  await Promise.all(workers.map((w) => new Promise((r) => { w.once('message', r); })));
  // Tasks: (file, channel, frequency rows). By recording = one worker walks one file's channels.
  type Task = { file: number; channel: number; rows?: number[] };
  const batches = o.strategy === 'frequency' ? batchIndices(nF, o.batches) : [undefined];
  const queues: Task[][] = o.strategy === 'recording'
    ? o.files.map((_, f) => Array.from({ length: o.channels }, (_, c) => ({ file: f, channel: c })))
    : [o.files.flatMap((_, f) => Array.from({ length: o.channels }, (_, c) => batches.map((rows) => ({ file: f, channel: c, rows }))).flat())];
  const t0 = performance.now();
  const lane = async (w: Worker, queue: Task[]): Promise<void> => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const task = t;
      const res = await new Promise<{ parts: { o0: number; o1: number; power: Float32Array }[] }>((resolve) => {
        w.once('message', resolve);
        w.postMessage({ file: o.files[task.file], n: o.n, sfreq: o.sfreq, channel: task.channel, params: { ...params, freqIndices: task.rows } });
      });
      const rows = task.rows ?? o.freqs.map((_, i) => i);
      const out = outs[task.file];
      for (const p of res.parts) {
        const len = p.o1 - p.o0;
        rows.forEach((r, i) => out.set(p.power.subarray(i * len, (i + 1) * len), (task.channel * nF + r) * g.nOut + p.o0));
      }
    }
  };
  if (o.strategy === 'recording') {
    // Recordings spread over workers, each recording's channels in order on its worker.
    const perWorker: Task[][] = workers.map(() => []);
    queues.forEach((q, i) => perWorker[i % workers.length].push(...q));
    await Promise.all(workers.map((w, i) => lane(w, perWorker[i])));
  } else {
    await Promise.all(workers.map((w) => lane(w, queues[0])));
  }
  const ms = performance.now() - t0;
  let checksum = 0;
  for (let i = 0; i < g.nOut; i += 97) checksum += outs[0][i];
  await Promise.all(workers.map((w) => w.terminate()));
  const cpu = process.cpuUsage(); // the whole process: main thread and worker threads
  console.log(JSON.stringify({ seconds: ms / 1000, peakMB: hwmMB(), cpu: (cpu.user + cpu.system) / 1e6, checksum }));
}

void main();
