// Gaussian mixture with full covariances fitted by EM (the model sklearn's GaussianMixture fits):
// k-means++/k-means initialisation, restarts, reg_covar on the diagonal, convergence on the change
// of the mean log-likelihood. Float64 throughout; features come in as float32 rows.

import { SpikeDeskError } from '../../shared/errors';
import type { ClusterParams } from '../../shared/params';
import { Rng } from '../rng';
import { kmeans } from './kmeans';
import { cholesky, invertLower, invertSpd } from './linalg';

export interface GmmModel {
  k: number;
  d: number;
  weights: Float64Array;
  means: Float64Array; // k x d
  covariances: Float64Array; // k x d x d
  /** Per component a d x d matrix F with F^T F = precision, so Mahalanobis^2 = |F (x - mean)|^2. */
  precFactor: Float64Array;
  /** log det F per component (= -0.5 log det covariance). */
  logDetF: Float64Array;
  /** Mean log-likelihood per sample of the training data at the last E-step. */
  lowerBound: number;
  nIter: number;
  converged: boolean;
}

export interface GmmInit {
  weights: ArrayLike<number>;
  means: ArrayLike<number>;
  /** k x d x d precision matrices; if absent, covariances are estimated from the responsibilities of the means. */
  precisions?: ArrayLike<number>;
}

export interface GmmOptions {
  maxIter?: number;
  tol?: number;
  regCovar?: number;
  restarts?: number;
  seed?: number;
  init?: GmmInit;
}

const LOG_2PI = Math.log(2 * Math.PI);
const EPS10 = 10 * 2.220446049250313e-16;

function setFactorFromCov(m: GmmModel, c: number): void {
  const { d } = m;
  const cov = m.covariances.subarray(c * d * d, (c + 1) * d * d);
  let l = cholesky(cov, d);
  if (!l) {
    // Numerically singular (a collapsed component): inflate the diagonal instead of failing the sort.
    let tr = 0;
    for (let i = 0; i < d; i++) tr += cov[i * d + i];
    for (let i = 0; i < d; i++) cov[i * d + i] += 1e-6 * Math.max(tr / d, 1e-12) + 1e-12;
    l = cholesky(cov, d);
    if (!l) throw new SpikeDeskError({ code: 'INTERNAL', message: 'GMM covariance is not positive definite', fix: 'increase the regularisation or reduce the number of clusters' });
  }
  const li = invertLower(l, d);
  m.precFactor.set(li, c * d * d);
  let ld = 0;
  for (let i = 0; i < d; i++) ld -= Math.log(l[i * d + i]);
  m.logDetF[c] = ld;
}

function emptyModel(k: number, d: number): GmmModel {
  return {
    k, d, weights: new Float64Array(k), means: new Float64Array(k * d), covariances: new Float64Array(k * d * d),
    precFactor: new Float64Array(k * d * d), logDetF: new Float64Array(k), lowerBound: -Infinity, nIter: 0, converged: false,
  };
}

/**
 * Weighted log densities log(w_c N(x | mu_c, S_c)) into out (n x k); returns nothing.
 * Also fills maha (n x k) with squared Mahalanobis distances when given.
 */
function weightedLogProb(m: GmmModel, X: Float32Array, n: number, out: Float64Array, maha?: Float64Array): void {
  const { k, d } = m;
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const F = m.precFactor.subarray(c * d * d, (c + 1) * d * d);
    const mu = m.means.subarray(c * d, (c + 1) * d);
    const constant = Math.log(m.weights[c]) + m.logDetF[c] - 0.5 * d * LOG_2PI;
    if (d === 3) {
      // The usual case (3 PCs): unrolled, ~3x faster than the generic loop.
      const f0 = F[0], f1 = F[1], f2 = F[2], f3 = F[3], f4 = F[4], f5 = F[5], f6 = F[6], f7 = F[7], f8 = F[8];
      const m0 = mu[0], m1 = mu[1], m2 = mu[2];
      for (let r = 0, o = 0; r < n; r++, o += 3) {
        const a = X[o] - m0, b = X[o + 1] - m1, e = X[o + 2] - m2;
        const y0 = f0 * a + f1 * b + f2 * e, y1 = f3 * a + f4 * b + f5 * e, y2 = f6 * a + f7 * b + f8 * e;
        const q = y0 * y0 + y1 * y1 + y2 * y2;
        out[r * k + c] = constant - 0.5 * q;
        if (maha) maha[r * k + c] = q;
      }
    } else {
      for (let r = 0; r < n; r++) {
        const o = r * d;
        for (let j = 0; j < d; j++) diff[j] = X[o + j] - mu[j];
        let q = 0;
        for (let i = 0; i < d; i++) {
          let y = 0;
          for (let j = 0; j < d; j++) y += F[i * d + j] * diff[j];
          q += y * y;
        }
        out[r * k + c] = constant - 0.5 * q;
        if (maha) maha[r * k + c] = q;
      }
    }
  }
}

/** E-step: turns weighted log densities into responsibilities in place; returns the mean log-likelihood. */
function eStep(m: GmmModel, X: Float32Array, n: number, resp: Float64Array): number {
  const { k } = m;
  weightedLogProb(m, X, n, resp);
  let total = 0;
  for (let r = 0; r < n; r++) {
    const o = r * k;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (resp[o + c] > mx) mx = resp[o + c];
    let s = 0;
    for (let c = 0; c < k; c++) { const e = Math.exp(resp[o + c] - mx); resp[o + c] = e; s += e; }
    total += mx + Math.log(s);
    const inv = 1 / s;
    for (let c = 0; c < k; c++) resp[o + c] *= inv;
  }
  return total / n;
}

/**
 * M-step for 3 features in one pass: weighted moments about the previous means (a shift that
 * avoids cancellation), then cov = S / nk - (mu - m0)(mu - m0)^T. Same result as the two-pass path.
 */
function mStep3(m: GmmModel, X: Float32Array, n: number, resp: Float64Array, reg: number): void {
  const { k } = m;
  const S = new Float64Array(k * 10);
  const m0 = Float64Array.from(m.means);
  for (let c = 0; c < k; c++) {
    const p0 = m0[c * 3], p1 = m0[c * 3 + 1], p2 = m0[c * 3 + 2];
    let sw = 0, s0 = 0, s1 = 0, s2 = 0, s00 = 0, s01 = 0, s02 = 0, s11 = 0, s12 = 0, s22 = 0;
    for (let r = 0, o = 0, ro = c; r < n; r++, o += 3, ro += k) {
      const w = resp[ro];
      const a = X[o] - p0, b = X[o + 1] - p1, e = X[o + 2] - p2;
      const wa = w * a, wb = w * b;
      sw += w; s0 += wa; s1 += wb; s2 += w * e;
      s00 += wa * a; s01 += wa * b; s02 += wa * e; s11 += wb * b; s12 += wb * e; s22 += w * e * e;
    }
    S.set([sw, s0, s1, s2, s00, s01, s02, s11, s12, s22], c * 10);
  }
  for (let c = 0; c < k; c++) {
    const q = S.subarray(c * 10, c * 10 + 10);
    const nk = q[0] + EPS10;
    const d0 = q[1] / nk, d1 = q[2] / nk, d2 = q[3] / nk;
    m.means[c * 3] = m0[c * 3] + d0; m.means[c * 3 + 1] = m0[c * 3 + 1] + d1; m.means[c * 3 + 2] = m0[c * 3 + 2] + d2;
    const v00 = q[4] / nk - d0 * d0 + reg, v01 = q[5] / nk - d0 * d1, v02 = q[6] / nk - d0 * d2;
    const v11 = q[7] / nk - d1 * d1 + reg, v12 = q[8] / nk - d1 * d2, v22 = q[9] / nk - d2 * d2 + reg;
    m.covariances.set([v00, v01, v02, v01, v11, v12, v02, v12, v22], c * 9);
    setFactorFromCov(m, c);
    m.weights[c] = nk / n;
  }
}

/** M-step from responsibilities (n x k): weights, means, covariances + reg on the diagonal. */
function mStep(m: GmmModel, X: Float32Array, n: number, resp: Float64Array, reg: number): void {
  const { k, d } = m;
  if (d === 3) { mStep3(m, X, n, resp, reg); return; }
  const nk = new Float64Array(k).fill(EPS10);
  m.means.fill(0);
  m.covariances.fill(0);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    for (let c = 0; c < k; c++) {
      const w = resp[r * k + c];
      nk[c] += w;
      const mo = c * d;
      for (let j = 0; j < d; j++) m.means[mo + j] += w * X[o + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) m.means[c * d + j] /= nk[c];
  const diff = new Float64Array(d);
  for (let c = 0; c < k; c++) {
    const cov = m.covariances.subarray(c * d * d, (c + 1) * d * d);
    const mu = m.means.subarray(c * d, (c + 1) * d);
    for (let r = 0; r < n; r++) {
      const w = resp[r * k + c];
      if (w === 0) continue;
      const o = r * d;
      for (let j = 0; j < d; j++) diff[j] = X[o + j] - mu[j];
      for (let i = 0; i < d; i++) {
        const wi = w * diff[i];
        for (let j = i; j < d; j++) cov[i * d + j] += wi * diff[j];
      }
    }
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) { cov[i * d + j] /= nk[c]; cov[j * d + i] = cov[i * d + j]; }
      cov[i * d + i] += reg;
    }
    setFactorFromCov(m, c);
    m.weights[c] = nk[c] / n;
  }
}

function modelFromInit(init: GmmInit, X: Float32Array, n: number, d: number, k: number, reg: number): GmmModel {
  const m = emptyModel(k, d);
  if (init.weights.length !== k || init.means.length !== k * d) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `GMM initialisation does not have ${k} components of ${d} dimensions`, fix: 'pass k weights and k x d means' });
  }
  m.weights.set(Array.from(init.weights));
  m.means.set(Array.from(init.means));
  if (init.precisions) {
    for (let c = 0; c < k; c++) {
      const p = Float64Array.from(Array.prototype.slice.call(init.precisions, c * d * d, (c + 1) * d * d) as number[]);
      const lp = cholesky(p, d);
      const cov = invertSpd(p, d);
      if (!lp || !cov) throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `initial precision of component ${c} is not positive definite`, fix: 'pass symmetric positive-definite precisions' });
      // F = Lp^T satisfies F^T F = Lp Lp^T = precision.
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.precFactor[c * d * d + i * d + j] = lp[j * d + i];
      let ld = 0;
      for (let i = 0; i < d; i++) ld += Math.log(lp[i * d + i]);
      m.logDetF[c] = ld;
      m.covariances.set(cov, c * d * d);
    }
  } else {
    // Hard-assign to the nearest mean, estimate covariances, keep the given weights and means.
    const resp = new Float64Array(n * k);
    for (let r = 0; r < n; r++) {
      let best = 0, bd = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) { const t = X[r * d + j] - m.means[c * d + j]; s += t * t; }
        if (s < bd) { bd = s; best = c; }
      }
      resp[r * k + best] = 1;
    }
    const w = Float64Array.from(m.weights), mu = Float64Array.from(m.means);
    mStep(m, X, n, resp, reg);
    m.weights.set(w); m.means.set(mu);
    for (let c = 0; c < k; c++) setFactorFromCov(m, c);
  }
  return m;
}

function runEm(m: GmmModel, X: Float32Array, n: number, maxIter: number, tol: number, reg: number): GmmModel {
  const resp = new Float64Array(n * m.k);
  let lb = -Infinity;
  m.converged = false;
  let it = 1;
  for (; it <= maxIter; it++) {
    const prev = lb;
    lb = eStep(m, X, n, resp);
    mStep(m, X, n, resp, reg);
    if (Math.abs(lb - prev) < tol) { m.converged = true; break; }
  }
  m.nIter = Math.min(it, maxIter);
  m.lowerBound = lb;
  return m;
}

/** One EM iteration in place (E-step, then M-step); resp is n x k scratch. Returns the E-step mean log-likelihood. */
export function emIteration(m: GmmModel, X: Float32Array, n: number, resp: Float64Array, regCovar = 1e-6): number {
  const lb = eStep(m, X, n, resp);
  mStep(m, X, n, resp, regCovar);
  return lb;
}

function checkInput(X: Float32Array, n: number, d: number, k: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || d < 1 || X.length < n * d) {
    throw new SpikeDeskError({ code: 'BAD_REQUEST', message: `feature matrix holds ${X.length} values, not ${n} x ${d}`, fix: 'pass n rows of d features' });
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `cannot fit ${k} clusters to ${n} spikes`, fix: 'lower the number of clusters or detect more spikes' });
  }
}

/**
 * Fit a k-component GMM. With opts.init the EM starts from exactly those parameters (one run);
 * otherwise each of opts.restarts runs starts from k-means++/k-means and the run with the
 * highest final mean log-likelihood is kept.
 */
export function fitGmm(X: Float32Array, n: number, d: number, k: number, opts: GmmOptions = {}): GmmModel {
  checkInput(X, n, d, k);
  const maxIter = opts.maxIter ?? 100, tol = opts.tol ?? 1e-3, reg = opts.regCovar ?? 1e-6;
  if (opts.init) return runEm(modelFromInit(opts.init, X, n, d, k, reg), X, n, maxIter, tol, reg);
  const rng = new Rng(opts.seed ?? 0);
  let best: GmmModel | null = null;
  for (let r = 0; r < Math.max(1, opts.restarts ?? 1); r++) {
    const km = kmeans(X, n, d, k, rng, 100);
    const m = emptyModel(k, d);
    const resp = new Float64Array(n * k);
    for (let i = 0; i < n; i++) resp[i * k + km.labels[i]] = 1;
    mStep(m, X, n, resp, reg);
    runEm(m, X, n, maxIter, tol, reg);
    if (!best || m.lowerBound > best.lowerBound) best = m;
  }
  return best!;
}

/** Per-sample log-likelihood log p(x). */
export function scoreSamples(m: GmmModel, X: Float32Array, n: number): Float64Array {
  const lp = new Float64Array(n * m.k);
  weightedLogProb(m, X, n, lp);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let mx = -Infinity;
    for (let c = 0; c < m.k; c++) mx = Math.max(mx, lp[r * m.k + c]);
    let s = 0;
    for (let c = 0; c < m.k; c++) s += Math.exp(lp[r * m.k + c] - mx);
    out[r] = mx + Math.log(s);
  }
  return out;
}

/** Mean log-likelihood per sample (sklearn's score). */
export function gmmScore(m: GmmModel, X: Float32Array, n: number): number {
  const s = scoreSamples(m, X, n);
  let t = 0;
  for (let i = 0; i < n; i++) t += s[i];
  return t / n;
}

export function gmmParameterCount(k: number, d: number): number {
  return k * ((d * (d + 1)) / 2) + k * d + k - 1;
}

/** Bayesian information criterion (lower is better), as sklearn's bic. */
export function gmmBic(m: GmmModel, X: Float32Array, n: number): number {
  return -2 * gmmScore(m, X, n) * n + gmmParameterCount(m.k, m.d) * Math.log(n);
}

/**
 * Most probable component per row and that component's squared Mahalanobis distance.
 * Rows farther than outlierMahalanobis (a distance, not squared; 0 = off) get label -1.
 */
export function predictGmm(m: GmmModel, X: Float32Array, n: number, outlierMahalanobis = 0): { labels: Int32Array; mahalanobis2: Float64Array } {
  const lp = new Float64Array(n * m.k);
  const maha = new Float64Array(n * m.k);
  weightedLogProb(m, X, n, lp, maha);
  const labels = new Int32Array(n);
  const mahalanobis2 = new Float64Array(n);
  const cut = outlierMahalanobis > 0 ? outlierMahalanobis * outlierMahalanobis : Infinity;
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < m.k; c++) if (lp[r * m.k + c] > lp[r * m.k + best]) best = c;
    mahalanobis2[r] = maha[r * m.k + best];
    labels[r] = mahalanobis2[r] > cut ? -1 : best;
  }
  return { labels, mahalanobis2 };
}

/** The method parameters (ClusterParams: k range, restarts, seed, fit subset, outlier cut) plus EM settings. */
export interface SelectOptions extends Pick<ClusterParams, 'kMin' | 'kMax' | 'restarts' | 'maxIter' | 'seed' | 'maxFitSpikes' | 'outlierMahalanobis'> {
  tol?: number;
  regCovar?: number;
  /** Multiplies BIC's complexity term (1 = plain BIC; < 1 favours more clusters). */
  bicPenalty?: number;
}

export interface SelectResult {
  model: GmmModel;
  labels: Int32Array;
  mahalanobis2: Float64Array;
  /** (Penalised) BIC of the fit subset for each k tried (index 0 = kMin); NaN where k was not tried. */
  bic: Float64Array;
  fitIndices: Int32Array;
}

/** Fit GMMs for k in [kMin, kMax] on a seeded subset, choose k by BIC, label every row. */
export function selectGmm(X: Float32Array, n: number, d: number, o: SelectOptions): SelectResult {
  checkInput(X, n, d, 1);
  const rng = new Rng(o.seed);
  const fitIndices = n > o.maxFitSpikes ? rng.sample(n, o.maxFitSpikes) : Int32Array.from({ length: n }, (_, i) => i);
  const m = fitIndices.length;
  const sub = new Float32Array(m * d);
  for (let i = 0; i < m; i++) sub.set(X.subarray(fitIndices[i] * d, fitIndices[i] * d + d), i * d);
  const bic = new Float64Array(o.kMax - o.kMin + 1).fill(NaN);
  let best: GmmModel | null = null;
  let bestBic = Infinity;
  for (let k = o.kMin; k <= o.kMax; k++) {
    // Need clearly more points than parameters for a meaningful full-covariance fit.
    if (k > 1 && m < 2 * gmmParameterCount(k, d)) break;
    const model = fitGmm(sub, m, d, k, { maxIter: o.maxIter, tol: o.tol, regCovar: o.regCovar, restarts: o.restarts, seed: o.seed * 7919 + k });
    const b = -2 * gmmScore(model, sub, m) * m + (o.bicPenalty ?? 1) * gmmParameterCount(k, d) * Math.log(m);
    bic[k - o.kMin] = b;
    if (b < bestBic) { bestBic = b; best = model; }
  }
  const { labels, mahalanobis2 } = predictGmm(best!, X, n, o.outlierMahalanobis);
  return { model: best!, labels, mahalanobis2, bic, fitIndices };
}
