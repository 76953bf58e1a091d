// Curation benchmarks: the model on 1e6 spike assignments (build, actions, undo by replay), the
// journal (fsynced append, reload), the lasso on 1e6 points against matplotlib's contains_points,
// and unit statistics (ISI, auto-correlogram against numpy peers in bench/py/curation.py).

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/workers/rng';
import { CurationModel, type BaseAssignment } from '../src/main/session/curation';
import { CurationJournal } from '../src/main/session/journal';
import { spikesInPolygon } from '../src/workers/sort/lasso';
import { correlogram, isiHistogram, waveformSummary } from '../src/workers/sort/unit-stats';
import { medianMs, type BenchContext, type BenchRow } from './types';

const AREA = 'curation';

function makeBase(nSpikes: number, nChannels: number, perChannel: number, rng: Rng): BaseAssignment {
  const n = Math.floor(nSpikes / nChannels);
  return {
    runId: 'bench',
    groups: Array.from({ length: nChannels }, (_, c) => ({
      channel: c, clusters: Int32Array.from({ length: n }, () => c * perChannel + rng.int(perChannel)),
    })),
  };
}

function median(x: number[]): number {
  const s = [...x].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Apply `count` merges and splits on random clusters, timing each action. */
function actions(m: CurationModel, count: number, rng: Rng): number[] {
  const t: number[] = [];
  for (let i = 0; i < count; i++) {
    const cl = m.clusters().filter((c) => c.nSpikes > 2);
    const a = cl[rng.int(cl.length)];
    const same = cl.filter((c) => c.channel === a.channel && c.id !== a.id);
    const t0 = performance.now();
    if (i % 2 === 0 && same.length) m.merge([a.id, same[0].id]);
    else m.split(a.id, m.spikesOf(a.id).filter((_, k) => k % 2 === 0));
    t.push(performance.now() - t0);
  }
  return t;
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const nSpikes = ctx.quick ? 200_000 : 1_000_000;
  const nActions = ctx.quick ? 40 : 100;
  const runs = ctx.quick ? 3 : 7;
  const rng = new Rng(1);
  const base = makeBase(nSpikes, 32, 8, rng);
  const rows: BenchRow[] = [];
  const row = (name: string, value: number, unit = 'ms', extra: Partial<BenchRow> = {}): void => { rows.push({ area: AREA, name, unit, value, ...extra }); };

  row(`model: index base of ${nSpikes} spikes (32 ch x 8 clusters)`, await medianMs(() => new CurationModel(base), runs));
  const m = new CurationModel(base);
  const perAction = actions(m, nActions, rng);
  row(`model: merge/split on ~${Math.round(nSpikes / 256)}-spike clusters (median of ${nActions})`, median(perAction));
  row(`model: undo (replay ${nActions} actions on ${nSpikes} spikes)`, await medianMs(() => { m.undo(); m.redo(); }, runs));

  const dir = fs.mkdtempSync(path.join(ctx.tmpDir, 'curation-'));
  const file = path.join(dir, 'curation.jsonl');
  const j = CurationJournal.open(file, base);
  const journaled = actions(j.model, nActions, rng);
  for (let i = 0; i < 5; i++) j.model.undo();
  j.journal.close();
  row(`journal: action incl. fsynced append (median of ${nActions})`, median(journaled));
  row(`journal: reload ${nActions + 5} records on ${nSpikes} spikes`, await medianMs(() => CurationJournal.open(file, base).journal.close(), runs),
    'ms', { note: `journal size ${(fs.statSync(file).size / 1024).toFixed(0)} KB` });

  // Lasso on 1e6 points (a whole big cluster), 200-vertex concave star.
  const nPts = ctx.quick ? 200_000 : 1_000_000;
  const pts = new Float32Array(nPts * 2);
  for (let i = 0; i < pts.length; i++) pts[i] = rng.normal();
  const poly: [number, number][] = Array.from({ length: 200 }, (_, i) => {
    const a = (2 * Math.PI * i) / 200, r = 0.5 + rng.uniform() * 1.5;
    return [r * Math.cos(a), r * Math.sin(a)];
  });
  const idx = Int32Array.from({ length: nPts }, (_, i) => i);
  const lassoMs = await medianMs(() => spikesInPolygon(pts, 2, [0, 1], idx, poly), runs);
  const inside = spikesInPolygon(pts, 2, [0, 1], idx, poly).length;

  // Statistics on a 1e6-spike train (ISI) and a 1e5-spike unit (ACG, waveforms).
  const times = new Float64Array(nSpikes);
  for (let i = 1; i < nSpikes; i++) times[i] = times[i - 1] + 1 + Math.round(rng.exponential(300));
  const nAcg = ctx.quick ? 20_000 : 100_000;
  const acgTimes = times.subarray(0, nAcg);
  const isiMs = await medianMs(() => isiHistogram(times, 30000, { binMs: 0.5, maxMs: 50 }), runs);
  const acgMs = await medianMs(() => correlogram(acgTimes, null, 30000, { binMs: 1, windowMs: 50 }), runs);
  const acgTotal = correlogram(acgTimes, null, 30000, { binMs: 1, windowMs: 50 }).counts.reduce((a, b) => a + b, 0);
  const wf = new Float32Array(nAcg * 48).map(() => rng.normal());
  const wfIdx = Int32Array.from({ length: nAcg }, (_, i) => i);
  row(`stats: waveform mean/SD + 100 samples, ${nAcg} x 48`, await medianMs(() => waveformSummary(wf, 48, wfIdx, 100, new Rng(1)), runs));

  let ref: { lasso_ms: number; lasso_inside: number; isi_ms: number; acg_ms: number; acg_total: number } | null = null;
  let note: string | undefined;
  if (ctx.python) {
    try {
      fs.writeFileSync(path.join(dir, 'points.f32'), pts);
      fs.writeFileSync(path.join(dir, 'polygon.f64'), Float64Array.from(poly.flat()));
      fs.writeFileSync(path.join(dir, 'times.f64'), times);
      const script = fileURLToPath(new URL('./py/curation.py', import.meta.url));
      const out = execFileSync(ctx.python, [script, dir, String(runs), String(nAcg)], { encoding: 'utf8', timeout: 600_000 });
      ref = JSON.parse(out.trim().split('\n').pop()!);
    } catch (e) {
      note = `python peer failed: ${(e as Error).message.split('\n')[0]}`;
    }
  } else note = 'python with numpy/matplotlib is not installed: no reference';
  fs.rmSync(dir, { recursive: true, force: true });

  /** Reference columns when the python peer ran; ratio = reference / ours (> 1: we are faster). */
  const vs = (value: number, refMs: number | undefined, name: string, agree?: string): Partial<BenchRow> => (refMs === undefined ? { note } : {
    reference: refMs, referenceName: name, ratio: refMs / value, target: 'ratio >= 1 (no slower)', pass: refMs / value >= 1, note: agree,
  });
  row(`lasso: ${nPts} points, 200-vertex concave polygon`, lassoMs, 'ms',
    vs(lassoMs, ref?.lasso_ms, 'matplotlib Path.contains_points', ref ? `inside ${inside} vs ${ref.lasso_inside}` : undefined));
  row(`stats: ISI histogram of ${nSpikes} spikes`, isiMs, 'ms', vs(isiMs, ref?.isi_ms, 'numpy diff + histogram'));
  row(`stats: auto-correlogram ${nAcg} spikes, 1 ms bins, 50 ms`, acgMs, 'ms',
    vs(acgMs, ref?.acg_ms, 'numpy shifted differences', ref ? `pairs ${acgTotal} vs ${ref.acg_total}` : undefined));
  return rows;
}
