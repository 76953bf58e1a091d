// Child process of bench/io.bench.ts: opens a raw recording and reads it channel by channel,
// then prints its own peak RSS (VmHWM), so the figure is not mixed with the parent's memory.
// Modes: 'fresh' (each channel whole, new arrays, as a fast-mode worker), 'reuse' (each channel
// whole into one reused array), 'blocks' (each channel in 1 M-sample blocks, as low-memory mode).
// Usage: node --import tsx bench/io-rss-child.ts <file> <channels> <rate> <mode>

import * as fs from 'node:fs';
import { openSource } from '../src/main/io';

function hwmMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function main(): Promise<void> {
  const [file, ch, rate, mode] = process.argv.slice(2);
  const before = hwmMB();
  const src = await openSource(file, { channels: Number(ch), rate: Number(rate), gain: 0.195 });
  const n = src.meta.nSamples;
  const t0 = performance.now();
  let checksum = 0;
  const block = 1 << 20;
  const whole = mode === 'reuse' ? [new Float32Array(n)] : undefined;
  const part = [new Float32Array(block)];
  for (let c = 0; c < src.meta.channels.length; c++) {
    if (mode === 'blocks') {
      for (let s = 0; s < n; s += block) {
        const e = Math.min(n, s + block);
        src.read([c], s, e, part);
        checksum += part[0][e - s - 1];
      }
    } else {
      const [x] = src.read([c], 0, n, whole);
      checksum += x[n - 1];
    }
  }
  const ms = performance.now() - t0;
  src.close();
  console.log(JSON.stringify({ peakMB: hwmMB(), startMB: before, ms, bytes: fs.statSync(file).size, checksum, nSamples: n }));
}

void main();
