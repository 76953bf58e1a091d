// Child process of bench/correct.bench.ts: the correction's global stage (triggers from the markers,
// completion, alignment, onset refinement, template choice on up to 4 channels) on a prepared
// synthetic recording, in its own process with the V8 flags the engine's workers run with (the
// engine runs this stage as a worker task), so its CPU time is what the app spends. Writes plan.json
// (read by correct-rss-child.ts) and ref-plan.json (read by bench/py/fastr_aas.py). Usage:
//   node --no-concurrent-recompilation --import tsx bench/correct-global-child.ts <dir> <channels>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CORRECT } from '../src/shared/params';
import { montageChannels, prepareCorrection } from '../src/workers/correct/plan';
import { analyzeTriggers, completeMissing, triggersFromEvents } from '../src/workers/correct/triggers';
import type { EventMark } from '../src/shared/recording';
import { readF32 } from './correct.bench';


function main(): void {
  const [dir, chArg] = process.argv.slice(2);
  const nCh = Number(chArg);
  const { events, fs: fsHz, nSamples: n } = JSON.parse(fs.readFileSync(path.join(dir, 'events.json'), 'utf8')) as { events: EventMark[]; fs: number; nSamples: number };
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const ref = readF32(path.join(dir, 'ch0.f32'), n);
  const analysis = analyzeTriggers(triggersFromEvents(events, 'R128'), fsHz);
  const triggers = completeMissing(analysis, ref).triggers;
  // As the engine's global stage does: the template model is chosen on up to 4 channels, the
  // cross-channel shapes come from up to 16.
  const { pick, shapes, of } = montageChannels([...Array(nCh).keys()]);
  const read = (c: number): Float32Array => readF32(path.join(dir, `ch${c}.f32`), n);
  const plan = prepareCorrection(ref, fsHz, triggers, DEFAULT_CORRECT, {}, { count: pick.length, read: (j) => read(pick[j]), shapeSource: { count: shapes.length, read: (j) => read(shapes[j]), of } });
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  fs.writeFileSync(path.join(dir, 'ref-plan.json'), JSON.stringify({ triggers: Array.from(triggers, Math.round), pre: plan.pre, epochLength: plan.epochLength, fs: fsHz }));
  const plain = (a: Float64Array): Array<number | null> => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({
    plan: { ...plan, positions: plain(plan.positions), lags: plain(plan.lags), peakR: plain(plan.peakR) }, params: DEFAULT_CORRECT,
  }));
  console.log(JSON.stringify({ ms, cpuS: (cpu.user + cpu.system) / 1e6, chosen: plan.templateChoice?.chosen ?? plan.template?.kind ?? null, channels: pick.length, epochs: plan.positions.length }));
}

main();
