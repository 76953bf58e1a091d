// Issue 13's "before" figures: the sorter as it was when the issue's evaluation harness landed
// (734e694, before any of the sorter work), run on today's pooled evaluation seeds. The
// generators (synth/quiroga.ts, synth/spikes.ts) are unchanged since then, so the recordings are the
// same. This script is run INSIDE a worktree of 734e694 (it imports that tree's engine and defaults);
// it writes each sorted recording's detections, labels and waveforms, and
// bench/sortquality-before-eval.ts (run in today's tree) evaluates them with today's evaluate.ts
// (error kinds, the bound, hidden pairs), exactly as the bench evaluates today's sorter.
//   git worktree add --detach ../before 734e694 && cp bench/sortquality-before-dump.ts ../before/bench/
//   cd ../before && npx tsx bench/sortquality-before-dump.ts OUT_DIR 'difficult' '201,202,...' '11,12'
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SORT } from '../src/shared/params';
import { makePool } from '../test/engine/helpers';
import { NOISE_LEVELS, quirogaSet, sortThroughEngine, spikesSet, type EvalSet } from '../test/engine/sort-eval';

const [out, kinds, qSeeds, sSeeds] = process.argv.slice(2);
if (!out || !kinds) throw new Error('usage: tsx bench/sortquality-before-dump.ts OUT_DIR easy|difficult|spikes[,...] QUIROGA_SEEDS SPIKES_SEEDS');
const want = kinds.split(',');
const sets: EvalSet[] = [];
for (const seed of (qSeeds ?? '').split(',').filter(Boolean).map(Number)) {
  for (const d of ['easy', 'difficult'] as const) if (want.includes(d)) for (const nl of NOISE_LEVELS) sets.push(quirogaSet(seed, d, nl, 60));
}
if (want.includes('spikes')) for (const seed of (sSeeds ?? '').split(',').filter(Boolean).map(Number)) sets.push(spikesSet(seed, 12, 40));
fs.mkdirSync(out, { recursive: true });
const b64 = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sortq-before-'));
const pool = await makePool(1);
try {
  for (const set of sets) {
    const file = path.join(out, `${set.name}-${set.seed}.json`);
    if (fs.existsSync(file)) continue;
    const rec = set.make();
    const dir = path.join(tmp, `${set.name}-${set.seed}`);
    const sorted = await sortThroughEngine(pool, dir, rec, DEFAULT_SORT);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ set: set.name, seed: set.seed, channels: sorted.map((c) => ({ channel: c.channel, width: c.width, samples: b64(c.samples), labels: b64(c.labels), waveforms: b64(c.waveforms) })) }));
    fs.renameSync(`${file}.tmp`, file);
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`${set.name} seed ${set.seed} sorted`);
  }
} finally {
  await pool.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
}
