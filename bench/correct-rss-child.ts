// Child process of bench/correct.bench.ts: corrects every channel of a prepared synthetic EEG-fMRI
// recording (one raw float32 file per channel) in one mode and prints its wall time and peak RSS, so
// the memory figure is not mixed with the parent's. Usage:
//   node --import tsx bench/correct-rss-child.ts <dir> <whole|low-memory> <channels> <sectionSamples>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { correctChannel, correctChannelStreamed } from '../src/workers/correct/chain';
import type { CorrectionPlan } from '../src/workers/correct/plan';
import type { CorrectParams } from '../src/shared/params';

function hwmMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

function readPlan(file: string): { plan: CorrectionPlan; params: CorrectParams } {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const arr = (a: Array<number | null>): Float64Array => Float64Array.from(a, (v) => (v === null ? NaN : v));
  return { plan: { ...j.plan, positions: arr(j.plan.positions), lags: arr(j.plan.lags), peakR: arr(j.plan.peakR) }, params: j.params };
}

function main(): void {
  const [dir, mode, chArg, secArg] = process.argv.slice(2);
  const { plan, params } = readPlan(path.join(dir, 'plan.json'));
  const n = plan.nSamples;
  const start = hwmMB();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let c = 0; c < Number(chArg); c++) {
    const fd = fs.openSync(path.join(dir, `ch${c}.f32`), 'r');
    const outFd = fs.openSync(path.join(dir, `out-${mode}-${c}.f32`), 'w');
    const read = (a: number, b: number): Float32Array => {
      const x = new Float32Array(b - a);
      fs.readSync(fd, new Uint8Array(x.buffer), 0, x.byteLength, a * 4);
      return x;
    };
    const write = (s: number, d: Float32Array): void => { fs.writeSync(outFd, new Uint8Array(d.buffer, d.byteOffset, d.byteLength), 0, d.byteLength, s * 4); };
    if (mode === 'whole') write(0, correctChannel(read(0, n), plan.fs, plan, params));
    else correctChannelStreamed(read, n, plan.fs, plan, params, Number(secArg), write);
    fs.closeSync(fd);
    fs.closeSync(outFd);
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, peakMB: hwmMB(), startMB: start }));
}

main();
