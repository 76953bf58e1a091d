// Evaluates the "before" sortings written by bench/sortquality-before-dump.ts (the sorter of
// 734e694 on today's evaluation seeds) with today's evaluate.ts, and writes per-unit rows in the
// format of bench/results/sortquality-units/*.json, so bench/sortquality-pool.ts reports them exactly
// as it reports today's sorter (no Python column: the reference does not depend on our sorter).
//   npx tsx bench/sortquality-before-eval.ts DUMP_DIR OUT.json [name-filter,...]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateSorted, quirogaSet, spikesSet, type EvalRow, type EvalSet, type SortedChannel } from '../test/engine/sort-eval';

const [dir, out, filter] = process.argv.slice(2);
if (!dir || !out) throw new Error('usage: tsx bench/sortquality-before-eval.ts DUMP_DIR OUT.json [name-filter,...]');
const only = (filter ?? '').split(',').filter(Boolean);
const i32 = (s: string) => { const b = Buffer.from(s, 'base64'); return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const f32 = (s: string) => { const b = Buffer.from(s, 'base64'); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
function setOf(name: string, seed: number): EvalSet {
  const q = /^quiroga-(easy|difficult)-([\d.]+)$/.exec(name);
  if (q) return quirogaSet(seed, q[1] as 'easy' | 'difficult', Number(q[2]), 60);
  if (name === 'spikes-12ch') return spikesSet(seed, 12, 40);
  throw new Error(`unknown set ${name}`);
}
const ours: EvalRow[] = [];
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
  const d = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { set: string; seed: number; channels: Array<{ channel: number; width: number; samples: string; labels: string; waveforms: string }> };
  if (only.length && !only.some((o) => d.set.includes(o))) continue;
  const set = setOf(d.set, d.seed);
  const sorted: SortedChannel[] = d.channels.map((c) => ({ channel: c.channel, width: c.width, samples: i32(c.samples), labels: i32(c.labels), waveforms: f32(c.waveforms) }));
  ours.push(...evaluateSorted(set, set.make(), sorted));
  console.log(`${d.set} seed ${d.seed} evaluated`);
}
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), which: 'before (734e694)', quick: false, ours, python: [] }));
