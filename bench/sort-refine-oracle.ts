// Refinement from a correct partition (issue 13), TUNING seeds only: what the discriminant step and
// alternatives to it do to the true labels of our detections (background events given to their
// nearest unit template, as clustering gives them to some unit). A refinement that drifts away from
// a correct partition shows here without the rest of the sorter.
//   npx tsx bench/sort-refine-oracle.ts [sets] [params.json]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)
// Measured (tuning seeds 101-110 x 60 s, difficult 0.15 / 0.20, mean accuracy; bound = LDA on the
// true labels with a background class, 5-fold): truth 0.884 / 0.707, bound 0.783 / 0.592; one pass of
// our discriminant 0.758 / 0.578, five (the default) 0.747 / 0.560, twenty 0.719 / 0.532; soft EM
// of the same shared-covariance mixture 5 / 20 iterations 0.732 / 0.545, 0.710 / 0.505 (equal
// priors 0.726 / 0.515); fitted on isolated events only (no other detection within overlapMs) 5 / 20
// passes 0.744 / 0.561, 0.719 / 0.533; trimmed (parameters from the 90 % / 75 % of each cluster
// nearest its mean) 5 passes 0.753 / 0.569, 0.753 / 0.573, 20 passes 0.753 / 0.548; nearest
// whitened template 1 / 5 passes 0.726 / 0.552, 0.714 / 0.530; per-cluster covariances shrunk
// halfway to the pooled one (Friedman's RDA) 1 pass 0.762 / 0.582, 5 passes 0.675 / 0.477.
// So every iterated classifier drifts away from the true partition, the mixture model's own fit
// (soft EM) most: the clusters are not Gaussian with a shared covariance, and one pass of any
// classifier already loses 0.12 of the truth (the units overlap in waveform space as far as the
// bound says). From the correct partition our five passes end at 0.95 of the bound.

import { detectTuningChannel, tuningRun } from './sort-tuning-setup';
import { compareSortings } from '../src/workers/sort/accuracy';
import { detectionTruth, ldaCrossValidated } from '../src/workers/sort/evaluate';
import { discriminantRefine } from '../src/workers/sort/lda-refine';
import { cholesky, invertLower, invertSpd, ldaDiscriminants } from '../src/workers/sort/linalg';
import { buildTemplates, reassignToTemplates, shiftDistance2, whitenRows } from '../src/workers/sort/templates';

interface Ctx { x: Float32Array; y: Float32Array; n: number; w: number; labels: Int32Array; k: number; shrinkage: number }

/** Soft EM of a shared-covariance Gaussian mixture started from the labels, MAP labels at the end. */
function softEm(rows: Float32Array, c: Ctx, iters: number, equalPriors = false): void {
  const { n, w: d, k, labels } = c;
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) if (labels[i] >= 0) resp[i * k + labels[i]] = 1;
  const mean = new Float64Array(k * d), cnt = new Float64Array(k), cov = new Float64Array(d * d), r = new Float64Array(d);
  for (let it = 0; it <= iters; it++) {
    mean.fill(0); cnt.fill(0); cov.fill(0);
    for (let i = 0; i < n; i++) for (let q = 0; q < k; q++) { const g = resp[i * k + q]; if (!g) continue; cnt[q] += g; for (let j = 0; j < d; j++) mean[q * d + j] += g * rows[i * d + j]; }
    for (let q = 0; q < k; q++) if (cnt[q]) for (let j = 0; j < d; j++) mean[q * d + j] /= cnt[q];
    let m = 0;
    for (let i = 0; i < n; i++) for (let q = 0; q < k; q++) {
      const g = resp[i * k + q]; if (g < 1e-6) continue; m += g;
      for (let j = 0; j < d; j++) r[j] = rows[i * d + j] - mean[q * d + j];
      for (let a = 0; a < d; a++) { const ra = g * r[a]; for (let b = a; b < d; b++) cov[a * d + b] += ra * r[b]; }
    }
    const usable = Array.from({ length: k }, (_, q) => q).filter((q) => cnt[q] > d);
    const cc = equalPriors ? Float64Array.from(cnt, (v) => (v > 0 ? m / k : 0)) : cnt;
    const lda = ldaDiscriminants(cov, mean, cc, m, d, usable, c.shrinkage);
    if (!lda) return;
    for (let i = 0; i < n; i++) {
      if (labels[i] < 0) continue;
      let mx = -Infinity; const s = new Float64Array(k);
      for (let q = 0; q < k; q++) { let v = lda.bias[q]; if (Number.isFinite(v)) for (let j = 0; j < d; j++) v += lda.wgt[q * d + j] * rows[i * d + j]; s[q] = v; if (v > mx) mx = v; }
      let z = 0; for (let q = 0; q < k; q++) { s[q] = Number.isFinite(s[q]) ? Math.exp(s[q] - mx) : 0; z += s[q]; }
      let best = 0; for (let q = 0; q < k; q++) { resp[i * k + q] = s[q] / z; if (s[q] > s[best]) best = q; }
      if (it === iters) labels[i] = best;
    }
  }
}

const VARIANTS: Record<string, (c: Ctx) => void> = {
  cem1: (c) => { discriminantRefine(c.x, c.n, c.w, c.labels, c.k, 1, c.shrinkage); },
  cem20: (c) => { discriminantRefine(c.x, c.n, c.w, c.labels, c.k, 20, c.shrinkage); },
  soft5: (c) => softEm(c.x, c, 5),
  soft20: (c) => softEm(c.x, c, 20),
  soft20eq: (c) => softEm(c.x, c, 20, true),
};

/** Classification EM whose parameters come only from rows keep(i, labels, lda) allows. */
function cemMasked(rows: Float32Array, c: Ctx, passes: number, keep: (i: number, dist: Float64Array) => boolean, trimQ = 1): void {
  const { n, w: d, k, labels } = c;
  const mean = new Float64Array(k * d), cnt = new Float64Array(k), cov = new Float64Array(d * d), r = new Float64Array(d);
  let dist = new Float64Array(n); // squared distance (pooled metric) of each row to its own mean, from the last pass
  for (let pass = 0; pass < passes; pass++) {
    // Per-class distance cut at quantile trimQ.
    const cut = new Float64Array(k).fill(Infinity);
    if (trimQ < 1 && pass > 0) for (let q = 0; q < k; q++) { const v = []; for (let i = 0; i < n; i++) if (labels[i] === q) v.push(dist[i]); v.sort((a, b) => a - b); if (v.length) cut[q] = v[Math.floor(trimQ * (v.length - 1))]; }
    const use = (i: number) => labels[i] >= 0 && keep(i, dist) && dist[i] <= cut[labels[i]];
    mean.fill(0); cnt.fill(0); cov.fill(0);
    for (let i = 0; i < n; i++) { if (!use(i)) continue; const q = labels[i]; cnt[q]++; for (let j = 0; j < d; j++) mean[q * d + j] += rows[i * d + j]; }
    let m = 0;
    for (let q = 0; q < k; q++) if (cnt[q]) { m += cnt[q]; for (let j = 0; j < d; j++) mean[q * d + j] /= cnt[q]; }
    for (let i = 0; i < n; i++) { if (!use(i)) continue; const q = labels[i]; for (let j = 0; j < d; j++) r[j] = rows[i * d + j] - mean[q * d + j]; for (let a = 0; a < d; a++) { const ra = r[a]; for (let b = a; b < d; b++) cov[a * d + b] += ra * r[b]; } }
    const usable = Array.from({ length: k }, (_, q) => q).filter((q) => cnt[q] > d);
    const lda = ldaDiscriminants(cov, mean, cnt, m, d, usable, c.shrinkage);
    if (!lda) return;
    // ldaDiscriminants left the shrunk covariance in cov: squared Mahalanobis distance to the own mean.
    const inv = invertSpd(cov, d);
    if (!inv) return;
    const nd = new Float64Array(n);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] < 0) continue;
      let best = labels[i], bs = -Infinity;
      for (const q of usable) { let s = lda.bias[q] - Math.log(cnt[q] / m); for (let j = 0; j < d; j++) s += lda.wgt[q * d + j] * rows[i * d + j]; const sp = s + Math.log(cnt[q] / m); if (sp > bs) { bs = sp; best = q; } }
      const q0 = best;
      for (let j = 0; j < d; j++) r[j] = rows[i * d + j] - mean[q0 * d + j];
      let s2 = 0;
      for (let a = 0; a < d; a++) { let z = 0; for (let b = 0; b < d; b++) z += inv[a * d + b] * r[b]; s2 += r[a] * z; }
      nd[i] = s2;
      if (best !== labels[i]) { labels[i] = best; changed++; }
    }
    dist = nd;
    if (!changed && pass > 0) break;
  }
}

function isolatedMask(samples: Int32Array, lag: number): Uint8Array {
  const iso = new Uint8Array(samples.length).fill(1);
  for (let i = 1; i < samples.length; i++) if (samples[i] - samples[i - 1] <= lag) { iso[i] = 0; iso[i - 1] = 0; }
  return iso;
}


/** Classification EM with per-class covariances shrunk towards the pooled one by lambda (Friedman's RDA). */
function qdaRefine(rows: Float32Array, c: Ctx, passes: number, lambda: number, priors = true): void {
  const { n, w: d, k, labels } = c;
  for (let pass = 0; pass < passes; pass++) {
    const mean = new Float64Array(k * d), cnt = new Float64Array(k), covs = new Float64Array(k * d * d), pooled = new Float64Array(d * d), r = new Float64Array(d);
    for (let i = 0; i < n; i++) { const q = labels[i]; if (q < 0) continue; cnt[q]++; for (let j = 0; j < d; j++) mean[q * d + j] += rows[i * d + j]; }
    for (let q = 0; q < k; q++) if (cnt[q]) for (let j = 0; j < d; j++) mean[q * d + j] /= cnt[q];
    for (let i = 0; i < n; i++) { const q = labels[i]; if (q < 0) continue; const o = q * d * d; for (let j = 0; j < d; j++) r[j] = rows[i * d + j] - mean[q * d + j]; for (let a = 0; a < d; a++) { const ra = r[a]; for (let b = a; b < d; b++) covs[o + a * d + b] += ra * r[b]; } }
    let m = 0; for (let q = 0; q < k; q++) m += cnt[q];
    for (let q = 0; q < k; q++) for (let a = 0; a < d; a++) for (let b = a; b < d; b++) pooled[a * d + b] += covs[q * d * d + a * d + b] / m;
    let tr = 0; for (let a = 0; a < d; a++) tr += pooled[a * d + a];
    const usable = Array.from({ length: k }, (_, q) => q).filter((q) => cnt[q] > d);
    if (usable.length < 2) return;
    const Li: Float64Array[] = [], logdet = new Float64Array(k);
    for (const q of usable) {
      const S = new Float64Array(d * d);
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) { const v = (1 - lambda) * covs[q * d * d + a * d + b] / cnt[q] + lambda * pooled[a * d + b]; S[a * d + b] = v; S[b * d + a] = v; }
      for (let a = 0; a < d; a++) S[a * d + a] += 1e-3 * tr / d;
      const L = cholesky(S, d); if (!L) return;
      let ld = 0; for (let a = 0; a < d; a++) ld += 2 * Math.log(L[a * d + a]);
      logdet[q] = ld; Li[q] = invertLower(L, d);
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] < 0) continue;
      let best = labels[i], bs = -Infinity;
      for (const q of usable) {
        for (let j = 0; j < d; j++) r[j] = rows[i * d + j] - mean[q * d + j];
        const L = Li[q]; let s2 = 0;
        for (let a = 0; a < d; a++) { let z = 0; for (let b = 0; b <= a; b++) z += L[a * d + b] * r[b]; s2 += z * z; }
        const s = -0.5 * s2 - 0.5 * logdet[q] + (priors ? Math.log(cnt[q] / m) : 0);
        if (s > bs) { bs = s; best = q; }
      }
      if (best !== labels[i]) { labels[i] = best; changed++; }
    }
    if (!changed) break;
  }
}
const EXTRA: Record<string, (c: Ctx, W: Float64Array) => void> = {
  tmpl1: (c, W) => { reassignToTemplates(c.x, c.y, c.w, c.labels, c.k, W, 1, 1); },
  tmpl5: (c, W) => { reassignToTemplates(c.x, c.y, c.w, c.labels, c.k, W, 5, 1); },
  qda1l5: (c) => qdaRefine(c.x, c, 1, 0.5),
  qda5l5: (c) => qdaRefine(c.x, c, 5, 0.5),
  qda5l2: (c) => qdaRefine(c.x, c, 5, 0.2),
  qda20l5: (c) => qdaRefine(c.x, c, 20, 0.5),
};

const { wanted, params } = tuningRun(['difficult']);
const acc = new Map<string, { s: number; n: number }>();
for (const set of wanted) {
  const { truth, fsr, det, feat } = detectTuningChannel(set, params);
  const n = det.samples.length, w = det.width, nu = truth.length;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  const y = whitenRows(det.waveforms, n, w, feat.whitener);
  const lab0 = Int32Array.from(trueOf);
  const T = buildTemplates(det.waveforms, w, lab0, nu, feat.whitener, params.cluster.templateMaxShift);
  for (let i = 0; i < n; i++) if (lab0[i] < 0) { let b = 0, bd = Infinity; for (let c = 0; c < nu; c++) { const d = shiftDistance2(y, i * w, T, c); if (d < bd) { bd = d; b = c; } } lab0[i] = b; }
  const score = (name: string, labels: Int32Array): void => {
    const found = Array.from({ length: nu }, (_, u) => ({ id: u, samples: det.samples.filter((_, i) => labels[i] === u) }));
    const cmp = compareSortings(truth, found, fsr);
    const e = acc.get(`${set.name}|${name}`) ?? { s: 0, n: 0 };
    for (const u of cmp.units) { e.s += u.accuracy; e.n++; }
    acc.set(`${set.name}|${name}`, e);
  };
  score('truth', lab0);
  const yb = Int32Array.from(trueOf, (u) => (u >= 0 ? u : nu));
  const pred = ldaCrossValidated(det.waveforms, n, w, yb, nu + 1);
  score('bound', Int32Array.from(pred, (p) => (p < nu ? p : -1)));
  const l = Int32Array.from(lab0); discriminantRefine(det.waveforms, n, w, l, nu, params.cluster.discriminantPasses, params.cluster.ldaShrinkage); score('cem', l);
  const iso = isolatedMask(det.samples, Math.round(params.cluster.overlapMs * fsr / 1000));
  const ctx = (l2: Int32Array) => ({ x: det.waveforms, y, n, w, labels: l2, k: nu, shrinkage: params.cluster.ldaShrinkage });
  for (const [name, passes, keep, q] of [['iso5', 5, (i: number) => iso[i] === 1, 1], ['iso20', 20, (i: number) => iso[i] === 1, 1], ['trim90x5', 5, () => true, 0.9], ['trim90x20', 20, () => true, 0.9], ['trim75x5', 5, () => true, 0.75]] as const) {
    const l2 = Int32Array.from(lab0); cemMasked(det.waveforms, ctx(l2), passes, keep, q); score(name, l2);
  }
  for (const [name, fn] of Object.entries(EXTRA)) { const l2 = Int32Array.from(lab0); fn(ctx(l2), feat.whitener); score(name, l2); }
  for (const [name, fn] of Object.entries(VARIANTS)) { const l2 = Int32Array.from(lab0); fn({ x: det.waveforms, y, n, w, labels: l2, k: nu, shrinkage: params.cluster.ldaShrinkage }); score(name, l2); }
}
const rows: Record<string, unknown>[] = [];
for (const [key, e] of acc) { const [set, v] = key.split('|'); rows.push({ set, variant: v, acc: +(e.s / e.n).toFixed(3) }); }
console.table(rows);
