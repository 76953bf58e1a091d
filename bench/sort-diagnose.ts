// Error analysis of the sorter against its supervised bound (issue 13), on TUNING seeds only: per
// set, the error kinds of our sorting, of the bound (LDA on the true labels of our detections,
// 5-fold; evaluate.ts) and of oracle repairs of our sorting, so the gap to the bound splits into
// (i) merged units, (ii) split units, (iii) misclassification between found clusters, (iv) true
// spikes sent to the noise cluster and (v) background accepted into units.
//   npx tsx bench/sort-diagnose.ts [sets] [params.json]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)
// Oracle repairs (each uses the true labels, so none is a sorter):
// - unmerge: in a cluster that is the main cluster (most detections) of several true units, the
//   spikes of all but the largest of them get a cluster of their own;
// - unsplit: clusters that are no true unit's main cluster join the main cluster of their majority unit;
// - disc: the unmerged, unsplit labels through our discriminant refinement only; overlaps: through
//   overlap resolution only;
// - + refine: the unmerged, unsplit detections' labels through our own discriminant refinement and
//   overlap resolution (what the rest of the chain makes of a correct partition);
// - - background: detections of no true unit removed from units.

import { sortTuningChannel, tuningRun } from './sort-tuning-setup';
import { compareSortings, type SpikeTrain } from '../src/workers/sort/accuracy';
import { detectionTruth, errorKinds, ldaCrossValidated, totalKinds, type ErrorKinds } from '../src/workers/sort/evaluate';
import { discriminantRefine } from '../src/workers/sort/lda-refine';
import { resolveOverlaps } from '../src/workers/sort/overlaps';
import { whitenRows } from '../src/workers/sort/templates';

const { wanted, params } = tuningRun();

type Variant = 'ours' | 'unmerge' | 'unsplit' | 'disc' | 'overlaps' | 'refine' | 'nobg' | 'bound';
const VARIANTS: Variant[] = ['ours', 'unmerge', 'unsplit', 'disc', 'overlaps', 'refine', 'nobg', 'bound'];
const acc = new Map<string, { acc: number; n: number; kinds: ErrorKinds[]; merged: number; splitC: number }>();
const add = (set: string, v: Variant, truth: SpikeTrain[], samples: Int32Array, labels: Int32Array, trueOf: Int32Array, fsr: number, pairOf?: Int32Array): void => {
  const k = labels.reduce((a, l) => Math.max(a, l + 1), 0);
  const found = Array.from({ length: k }, (_, u) => ({ id: u, samples: samples.filter((_, i) => labels[i] === u) }));
  const cmp = compareSortings(truth, found, fsr);
  const pairs = pairOf ?? Int32Array.from(cmp.units, (u) => u.foundId);
  const kinds = errorKinds(trueOf, labels, truth, pairs);
  const key = `${set}|${v}`;
  const e = acc.get(key) ?? { acc: 0, n: 0, kinds: [], merged: 0, splitC: 0 };
  cmp.units.forEach((u, i) => { e.acc += pairOf ? (() => { const kk = kinds[i]; return kk.hits / (kk.nTrue + kk.hits + kk.falseFromUnit + kk.falseFromBackground - kk.hits); })() : u.accuracy; e.n++; });
  e.kinds.push(...kinds);
  acc.set(key, e);
};

for (const set of wanted) {
  // Peeling off: the repairs act on the detections (the bound's rows are detections too).
  const { truth, fsr, det, feat, cp, cl } = sortTuningChannel(set, params);
  const n = det.samples.length, w = det.width, nu = truth.length;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  add(set.name, 'ours', truth, det.samples, cl.labels, trueOf, fsr);
  // Composition of clusters.
  const k = cl.k;
  const comp = new Float64Array(k * (nu + 1));
  for (let i = 0; i < n; i++) if (cl.labels[i] >= 0) comp[cl.labels[i] * (nu + 1) + (trueOf[i] >= 0 ? trueOf[i] : nu)]++;
  const main = Array.from({ length: nu }, (_, u) => { let b = -1, bv = 0; for (let f = 0; f < k; f++) if (comp[f * (nu + 1) + u] > bv) { bv = comp[f * (nu + 1) + u]; b = f; } return b; });
  const un = Int32Array.from(cl.labels);
  let next = k, merged = 0;
  for (let f = 0; f < k; f++) {
    const us = main.map((m, u) => (m === f ? u : -1)).filter((u) => u >= 0).sort((a, b) => comp[f * (nu + 1) + b] - comp[f * (nu + 1) + a]);
    for (const u of us.slice(1)) { merged++; const id = next++; main[u] = id; for (let i = 0; i < n; i++) if (un[i] === f && trueOf[i] === u) un[i] = id; }
  }
  add(set.name, 'unmerge', truth, det.samples, un, trueOf, fsr);
  const us2 = Int32Array.from(un);
  let splitC = 0;
  for (let f = 0; f < k; f++) {
    if (main.includes(f)) continue;
    let b = -1, bv = 0; for (let u = 0; u < nu; u++) if (comp[f * (nu + 1) + u] > bv) { bv = comp[f * (nu + 1) + u]; b = u; }
    if (b < 0) continue;
    splitC++;
    for (let i = 0; i < n; i++) if (us2[i] === f) us2[i] = main[b];
  }
  add(set.name, 'unsplit', truth, det.samples, us2, trueOf, fsr);
  const y = whitenRows(det.waveforms, n, w, feat.whitener);
  const kk = us2.reduce((a, l) => Math.max(a, l + 1), 0);
  const ms = fsr / 1000;
  const overlaps = (lab: Int32Array) => resolveOverlaps(det.waveforms, y, w, lab, kk, feat.whitener, {
    primaryShift: Math.max(1, Math.round(cp.alignToleranceMs * ms)), secondaryShift: Math.max(1, Math.round(cp.overlapMs * ms)),
    minPairLag: Math.max(1, Math.round(cp.minPairLagMs * ms)), dissolveFraction: cp.dissolveFraction, rejectBackground: cp.rejectBackground, maxShift: cp.templateMaxShift, backgroundFalseAlarm: cp.backgroundFalseAlarm,
  }, cp.minUnitSpikes);
  const ref = Int32Array.from(us2);
  if (cp.discriminantPasses > 0) discriminantRefine(det.waveforms, n, w, ref, kk, cp.discriminantPasses, cp.ldaShrinkage);
  add(set.name, 'disc', truth, det.samples, ref, trueOf, fsr);
  const ovl = Int32Array.from(us2);
  overlaps(ovl);
  add(set.name, 'overlaps', truth, det.samples, ovl, trueOf, fsr);
  overlaps(ref);
  add(set.name, 'refine', truth, det.samples, ref, trueOf, fsr);
  const nobg = Int32Array.from(us2, (l, i) => (trueOf[i] < 0 ? -1 : l));
  add(set.name, 'nobg', truth, det.samples, nobg, trueOf, fsr);
  const yb = Int32Array.from(trueOf, (u) => (u >= 0 ? u : nu));
  const pred = ldaCrossValidated(det.waveforms, n, w, yb, nu + 1);
  const predL = Int32Array.from(pred, (p) => (p >= 0 && p < nu ? p : -1));
  add(set.name, 'bound', truth, det.samples, predL, trueOf, fsr, Int32Array.from({ length: nu }, (_, u) => u));
  const e = acc.get(`${set.name}|ours`)!; e.merged += merged; e.splitC += splitC;
  if (process.env.SORT_DIAG_VERBOSE) console.log(`${set.name} s${set.seed} k ${k} merged ${merged} splitClusters ${splitC} comp ${Array.from({ length: k }, (_, f) => Array.from(comp.subarray(f * (nu + 1), (f + 1) * (nu + 1))).join('/')).join(' ')}`);
}

const table: Record<string, unknown>[] = [];
for (const set of [...new Set(wanted.map((s) => s.name))]) for (const v of VARIANTS) {
  const e = acc.get(`${set}|${v}`);
  if (!e) continue;
  const t = totalKinds(e.kinds);
  table.push({ set, variant: v, acc: +(e.acc / e.n).toFixed(3), hits: t.hits, notDet: t.notDetected, unas: t.unassigned, miscl: t.misclassified, split: t.splitOff, fUnit: t.falseFromUnit, fBg: t.falseFromBackground, ...(v === 'ours' ? { mergedUnits: e.merged, extraClusters: e.splitC } : {}) });
}
console.table(table);
