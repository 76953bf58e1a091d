// Pools per-unit rows of sortquality runs (bench/results/sortquality-units/*.json, written by
// bench/sortquality.bench.ts) into one report: the per-seed table, the per-set table and bench
// rows, computed by unit exactly as a single run computes them. Issue 13's acceptance is judged on
// the evaluation seeds pooled with the further and the fresh evaluation seeds (test/engine/sort-eval.ts).
//   npx tsx bench/sortquality-pool.ts OUT.json UNITS.json [UNITS.json ...]
// A seed of a set that appears in two files is refused (it would count twice).

import * as fs from 'node:fs';
import type { EvalRow } from '../test/engine/sort-eval';
import { report, type PyRow } from './sortquality.bench';

const [out, ...files] = process.argv.slice(2);
if (!out || !files.length) throw new Error('usage: tsx bench/sortquality-pool.ts OUT.json UNITS.json [UNITS.json ...]');
const ours: EvalRow[] = [];
const py: Array<PyRow & { seed?: number }> = [];
const seen = new Map<string, string>();
const labels: string[] = [];
for (const f of files) {
  const d = JSON.parse(fs.readFileSync(f, 'utf8')) as { which: string; quick: boolean; ours: EvalRow[]; python: PyRow[] };
  for (const key of new Set(d.ours.map((r) => `${r.set} seed ${r.seed}`))) {
    if (seen.has(key)) throw new Error(`${key} is in both ${seen.get(key)} and ${f}`);
    seen.set(key, f);
  }
  // JSON has no Infinity: a unit with no pair left (pairDip, pairSeparation Infinity) reads as null.
  ours.push(...d.ours.map((r) => ({ ...r, pairDip: r.pairDip ?? Infinity, pairSeparation: r.pairSeparation ?? Infinity })));
  py.push(...d.python);
  labels.push(`${d.which}${d.quick ? ' quick' : ''}`);
}
const which = [...new Set(labels)].join(' + ');
const rows = report(ours, py, which);
fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), quick: false, python: py.length ? 'pooled' : null, pooledFrom: files, rows }, null, 2)}\n`);
console.log(`wrote ${out}`);
