// Merged clusters against the trial cuts (issue 13), TUNING seeds only: for each final cluster that
// is the main cluster of two true units, how much of the pair's mean difference the cluster's own
// PCs hold, and for 2-means cuts on 2-10 PCs (raw, refined as splitClusters refines them, and on
// standardised PCs) and cuts along single PCs: agreement with the true pair, the cross-validated
// dip score along the cut's discriminant and the refractory log10 likelihood ratios (both orders /
// minority order). Found (seed 106, difficult 0.15, 60 s): every joint cut finds the pair (87 %
// right, dip score 2-2.6), but its refractory ratio falls below 1, since the pair's close cross
// pairs land on one side; hence ClusterParams.resplitFinalDip.
//   npx tsx bench/sort-merge-cuts.ts [sets]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)
import { sortTuningChannel, tuningRun } from './sort-tuning-setup';
import { detectionTruth } from '../src/workers/sort/evaluate';
import { ldaDip, discriminantRefine } from '../src/workers/sort/lda-refine';
import { whitenRows, buildTemplates, reassignToTemplates } from '../src/workers/sort/templates';
import { refractoryEvidence } from '../src/workers/sort/refractory';
import { pca } from '../src/workers/sort/pca';
import { kmeans } from '../src/workers/sort/kmeans';
import { Rng } from '../src/workers/rng';
const { wanted, params } = tuningRun(['difficult']);
const cp = params.cluster;
for (const set of wanted) {
  const { truth, fsr, x: x0, det, feat, cl } = sortTuningChannel(set, params);
  const n = det.samples.length, w = det.width, nu = truth.length, k = cl.k;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  const y = whitenRows(det.waveforms, n, w, feat.whitener);
  let lo = Infinity; for (let i = 1; i < n; i++) lo = Math.min(lo, det.samples[i] - det.samples[i - 1]);
  const hi = (cp.refractoryMs * fsr) / 1000;
  const comp = new Float64Array(k * (nu + 1));
  for (let i = 0; i < n; i++) if (cl.labels[i] >= 0) comp[cl.labels[i] * (nu + 1) + (trueOf[i] >= 0 ? trueOf[i] : nu)]++;
  const main = Array.from({ length: nu }, (_, u) => { let b = -1, bv = 0; for (let f = 0; f < k; f++) if (comp[f * (nu + 1) + u] > bv) { bv = comp[f * (nu + 1) + u]; b = f; } return b; });
  for (let c = 0; c < k; c++) {
    const us = main.map((m, u) => (m === c ? u : -1)).filter((u) => u >= 0);
    if (us.length < 2) continue;
    const [ua, ub] = us.sort((a, b) => comp[c * (nu + 1) + b] - comp[c * (nu + 1) + a]);
    const idx: number[] = []; for (let i = 0; i < n; i++) if (cl.labels[i] === c) idx.push(i);
    const tl = idx.map((i) => trueOf[i]);
    console.log(`\n${set.name} seed ${set.seed} cluster ${c}: ${idx.length} events; true ${ua}: ${comp[c * (nu + 1) + ua]}, ${ub}: ${comp[c * (nu + 1) + ub]}, bg ${comp[c * (nu + 1) + nu]}`);
    const one = new Int32Array(n).fill(-1); for (const i of idx) one[i] = 0;
    const T = buildTemplates(det.waveforms, w, one, 1, feat.whitener, cp.templateMaxShift);
    const z = new Float32Array(idx.length * w);
    idx.forEach((i, r) => { let rd = 0; for (let j = 0; j < w; j++) rd += (y[i * w + j] - T.t[j]) * T.d[j]; const s = T.dd[0] > 0 ? Math.max(-T.maxShift, Math.min(T.maxShift, rd / T.dd[0])) : 0; for (let j = 0; j < w; j++) z[r * w + j] = y[i * w + j] - s * T.d[j]; });
    const model = pca(z, idx.length, w, 16);
    const f = model.project(z, idx.length);
    // mean difference of the true pair in z, energy captured by the top d PCs
    const md = new Float64Array(w); let na = 0, nb = 0;
    idx.forEach((_, r) => { if (tl[r] === ua) na++; else if (tl[r] === ub) nb++; });
    idx.forEach((_, r) => { const s = tl[r] === ua ? 1 / na : tl[r] === ub ? -1 / nb : 0; if (s) for (let j = 0; j < w; j++) md[j] += s * z[r * w + j]; });
    const tot = md.reduce((a, v) => a + v * v, 0);
    const cap: string[] = [];
    let acc2 = 0;
    for (let q = 0; q < 16; q++) { let p = 0; for (let j = 0; j < w; j++) p += md[j] * model.components[q * w + j]; acc2 += p * p; if ([1, 2, 3, 4, 6, 8, 12, 16].includes(q + 1)) cap.push(`${q + 1}:${(acc2 / tot).toFixed(2)}`); }
    console.log(`  |mean diff| ${Math.sqrt(tot).toFixed(2)}; PC energy captured ${cap.join(' ')}; explained var ${Array.from(model.explainedVariance.slice(0, 8), (v) => v.toFixed(1)).join(' ')}`);
    const zz = new Float32Array(idx.length * w); idx.forEach((i, r) => zz.set(y.subarray(i * w, (i + 1) * w), r * w));
    const report = (name: string, sub: Int32Array) => {
      const ia = idx.filter((_, r) => sub[r] === 0), ib = idx.filter((_, r) => sub[r] === 1);
      let agree = 0, tot2 = 0; for (let r = 0; r < idx.length; r++) if (tl[r] === ua || tl[r] === ub) { tot2++; if ((tl[r] === ua) === (sub[r] === 0)) agree++; }
      const ag = Math.max(agree, tot2 - agree) / tot2;
      const ta = Int32Array.from(ia, (i) => det.samples[i]).sort(), tb = Int32Array.from(ib, (i) => det.samples[i]).sort();
      console.log(`  ${name.padEnd(28)} sizes ${ia.length}/${ib.length} agree ${ag.toFixed(3)} ldaDipCV ${ldaDip(y, w, ia, ib, cp.ldaShrinkage, cp.isocutBinSize, true).toFixed(2)} log10LR ${Math.log10(refractoryEvidence(ta, tb, lo, hi, x0.length)).toFixed(1)} minority ${Math.log10(refractoryEvidence(ta, tb, lo, hi, x0.length, true)).toFixed(1)}`);
    };
    report('truth', Int32Array.from(tl, (t) => (t === ua ? 0 : 1)));
    const cut = (cols: number[], refine: boolean, seed: number, scale = false) => {
      const g = new Float32Array(idx.length * cols.length);
      const sd = cols.map((q) => Math.sqrt(model.explainedVariance[q]));
      for (let r = 0; r < idx.length; r++) cols.forEach((col, q) => { g[r * cols.length + q] = f[r * 16 + col] / (scale ? sd[q] : 1); });
      const rng = new Rng(seed);
      let km = kmeans(g, idx.length, cols.length, 2, rng);
      for (let rep = 1; rep < cp.restarts; rep++) { const alt = kmeans(g, idx.length, cols.length, 2, rng); if (alt.inertia < km.inertia) km = alt; }
      if (!refine) return km.labels;
      const part = new Int32Array(n).fill(-1); idx.forEach((i, r) => { part[i] = km.labels[r]; });
      reassignToTemplates(det.waveforms, y, w, part, 2, feat.whitener, cp.splitRefine, cp.templateMaxShift);
      const sub = Int32Array.from(idx, (i) => part[i]);
      discriminantRefine(zz, idx.length, w, sub, 2, cp.splitRefine, cp.ldaShrinkage);
      return sub;
    };
    for (const d of [2, 3, 4, 5, 6, 8, 10]) {
      const cols = Array.from({ length: d }, (_, q) => q);
      report(`2means ${d} raw`, cut(cols, false, 7919 * cp.seed + c));
      report(`2means ${d} refined`, cut(cols, true, 7919 * cp.seed + c));
      report(`2means ${d} std refined`, cut(cols, true, 7919 * cp.seed + c, true));
    }
    for (let q = 0; q < 8; q++) report(`alt PC${q} refined`, cut([q], true, 7919 * cp.seed + c));
  }
}
