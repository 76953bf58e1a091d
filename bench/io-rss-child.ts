// Child process of bench/io.bench.ts: opens a raw recording and reads it channel by channel
// (each channel whole), then prints its own peak RSS (VmHWM), so the figure is not mixed with
// the parent's memory. Usage: node --import tsx bench/io-rss-child.ts <file> <channels> <rate>

import * as fs from 'node:fs';
import { openSource } from '../src/main/io';

function hwmMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function main(): Promise<void> {
  const [file, ch, rate] = process.argv.slice(2);
  const before = hwmMB();
  const src = await openSource(file, { channels: Number(ch), rate: Number(rate), gain: 0.195 });
  const t0 = performance.now();
  let checksum = 0;
  for (let c = 0; c < src.meta.channels.length; c++) {
    const [x] = src.read([c], 0, src.meta.nSamples);
    checksum += x[x.length - 1];
  }
  const ms = performance.now() - t0;
  src.close();
  const bytes = fs.statSync(file).size;
  console.log(JSON.stringify({ peakMB: hwmMB(), startMB: before, ms, bytes, checksum, nSamples: src.meta.nSamples }));
}

void main();
