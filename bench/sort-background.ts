// Background-rejection analysis (issue 13, deliverable 3), TUNING seeds only: for each unit of our
// sorting (peeling off), the statistics the background test could use, for the unit's true spikes
// (T), the background detections it accepted (B) and other units' spikes in it (O), and for the
// background detections already rejected (R): own = -(whitened residual to the own template) / w,
// llr = likelihood ratio against no spike (overlaps.ts), amp = projection on the template / its
// energy, yy = energy / w, bgr = residual to the noise's conditional trough shape (C e0 / C00) less
// the own residual, tp = projection on the template's part orthogonal to that shape.
// Tables: quantiles per group; per statistic, the background and true spikes below the true
// spikes' own 1 % / 5 % quantile per unit (an oracle), a cross-validated supervised T/B LDA per
// unit, and unsupervised cuts (median - z MAD; the upper tail reflected about the median or the
// half-sample mode). SORT_BG_UNITS=1 prints each unit's composition and its rejectLowTail figures.
//   npx tsx bench/sort-background.ts [sets] [params.json]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)

import { sortTuningChannel, tuningRun } from './sort-tuning-setup';
import { detectionTruth } from '../src/workers/sort/evaluate';
import { binomialUpperTail, explainEvents } from '../src/workers/sort/overlaps';
import { whitenRows } from '../src/workers/sort/templates';
import { ldaDiscriminants } from '../src/workers/sort/linalg';

const { wanted, params } = tuningRun();

type Stat = 'own' | 'llr' | 'amp' | 'yy' | 'bgr' | 'tp';
const STATS: Stat[] = ['own', 'llr', 'amp', 'yy', 'bgr', 'tp'];
// Oracle separability per unit: B events below T's q-quantile of a statistic (low = background-like).
const sep = new Map<string, number[]>();
const groups = new Map<string, Record<Stat, number[]>>();
const push = (g: string, v: Record<Stat, number>) => {
  const e = groups.get(g) ?? { own: [], llr: [], amp: [], yy: [], bgr: [], tp: [] };
  for (const s of Object.keys(v) as Stat[]) e[s].push(v[s]);
  groups.set(g, e);
};
const rows: string[] = [];
for (const set of wanted) {
  const { truth, fsr, det, feat, cp, cl } = sortTuningChannel(set, params);
  const n = det.samples.length, w = det.width, nu = truth.length, k = cl.k;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  const y = whitenRows(det.waveforms, n, w, feat.whitener);
  const ms = fsr / 1000;
  const live = new Uint8Array(k).fill(1);
  const o = {
    primaryShift: Math.max(1, Math.round(cp.alignToleranceMs * ms)), secondaryShift: Math.max(1, Math.round(cp.overlapMs * ms)),
    minPairLag: Math.max(1, Math.round(cp.minPairLagMs * ms)), dissolveFraction: cp.dissolveFraction, rejectBackground: true, maxShift: cp.templateMaxShift,
  };
  const e = explainEvents(det.waveforms, y, w, cl.labels, k, feat.whitener, o, live);
  // Majority true unit of each cluster.
  const comp = new Float64Array(k * (nu + 1));
  for (let i = 0; i < n; i++) if (cl.labels[i] >= 0) comp[cl.labels[i] * (nu + 1) + (trueOf[i] >= 0 ? trueOf[i] : nu)]++;
  const maj = Array.from({ length: k }, (_, f) => { let b = -1, bv = 0; for (let u = 0; u < nu; u++) if (comp[f * (nu + 1) + u] > bv) { bv = comp[f * (nu + 1) + u]; b = u; } return b; });
  // Whitened templates for amplitude (projection on the unit's template over its energy).
  const T = new Float64Array(k * w), cnt = new Float64Array(k);
  for (let i = 0; i < n; i++) { const c = cl.labels[i]; if (c < 0) continue; cnt[c]++; for (let j = 0; j < w; j++) T[c * w + j] += y[i * w + j]; }
  for (let c = 0; c < k; c++) for (let j = 0; j < w; j++) T[c * w + j] /= Math.max(1, cnt[c]);
  const TT = Array.from({ length: k }, (_, c) => { let s = 0; for (let j = 0; j < w; j++) s += T[c * w + j] ** 2; return s; });
  for (let c = 0; c < k; c++) rows.push(`${set.name} s${set.seed} unit ${c} n ${cnt[c]} maj ${maj[c]} ||T|| ${Math.sqrt(TT[c]).toFixed(1)} comp ${Array.from(comp.subarray(c * (nu + 1), (c + 1) * (nu + 1))).join('/')}`);
  // Background shape: the conditional mean of noise given its value at the trough sample (C e0 / C00), whitened.
  const C = det.noiseCov, pre = det.pre;
  const bw = new Float64Array(w);
  for (let i = 0; i < w; i++) { let s = 0; for (let j = 0; j < w; j++) s += feat.whitener[i * w + j] * C[j * w + pre] / C[pre * w + pre]; bw[i] = s; }
  const bb = bw.reduce((a, v) => a + v * v, 0);
  // Per unit: u = component of T perpendicular to b, normalised.
  const U = new Float64Array(k * w), Dp = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let tb = 0; for (let j = 0; j < w; j++) tb += T[c * w + j] * bw[j];
    for (let j = 0; j < w; j++) U[c * w + j] = T[c * w + j] - (tb / bb) * bw[j];
    Dp[c] = Math.sqrt(U.subarray(c * w, (c + 1) * w).reduce((a, v) => a + v * v, 0));
    for (let j = 0; j < w; j++) U[c * w + j] /= Dp[c];
  }
  for (let c = 0; c < k; c++) rows.push(`   unit ${c} Dperp ${Dp[c].toFixed(1)}`);
  const per = new Map<number, { T: Record<Stat, number>[]; B: Record<Stat, number>[] }>();
  const all = new Map<number, Array<{ g: string; v: Record<Stat, number> }>>();
  for (let i = 0; i < n; i++) {
    const c = cl.labels[i];
    let yy = 0; for (let j = 0; j < w; j++) yy += y[i * w + j] ** 2;
    if (c < 0) { if (trueOf[i] < 0) push(`${set.name} R`, { own: NaN, llr: NaN, amp: NaN, yy: yy / w, bgr: NaN, tp: NaN }); continue; }
    let p = 0; for (let j = 0; j < w; j++) p += y[i * w + j] * T[c * w + j];
    const g = trueOf[i] < 0 ? 'B' : trueOf[i] === maj[c] ? 'T' : 'O';
    let yb = 0, tp = 0; for (let j = 0; j < w; j++) { yb += y[i * w + j] * bw[j]; tp += y[i * w + j] * U[c * w + j]; }
    const st = { own: -e.own[i] / w, llr: e.none[i] - e.ownFit[i], amp: p / TT[c], yy: yy / w, bgr: (yy - yb * yb / bb - e.own[i]) / w, tp: tp / Dp[c] };
    push(`${set.name} ${g}`, st);
    const au = all.get(c) ?? []; au.push({ g, v: st }); all.set(c, au);
    const pu = per.get(c) ?? { T: [], B: [] }; if (g === 'T') pu.T.push(st); if (g === 'B') pu.B.push(st); per.set(c, pu);
  }
  // Supervised check per unit: cross-validated 2-class LDA (T against B of the unit) on raw waveforms.
  for (let c = 0; c < k; c++) {
    const idx: number[] = [], cls: number[] = [];
    for (let i = 0; i < n; i++) if (cl.labels[i] === c) { const g = trueOf[i] < 0 ? 1 : trueOf[i] === maj[c] ? 0 : -1; if (g >= 0) { idx.push(i); cls.push(g); } }
    const nB = cls.filter((g) => g === 1).length, nT = cls.length - nB;
    if (nB < 10 || nT < 20) continue;
    const score = new Float64Array(idx.length);
    for (let f = 0; f < 5; f++) {
      const mean = new Float64Array(2 * w), cn = new Float64Array(2), cov = new Float64Array(w * w);
      idx.forEach((i, q) => { if (q % 5 === f) return; cn[cls[q]]++; for (let j = 0; j < w; j++) mean[cls[q] * w + j] += det.waveforms[i * w + j]; });
      for (let g = 0; g < 2; g++) for (let j = 0; j < w; j++) mean[g * w + j] /= cn[g];
      let m = 0; const r = new Float64Array(w);
      idx.forEach((i, q) => { if (q % 5 === f) return; m++; for (let j = 0; j < w; j++) r[j] = det.waveforms[i * w + j] - mean[cls[q] * w + j]; for (let a = 0; a < w; a++) for (let b = a; b < w; b++) cov[a * w + b] += r[a] * r[b]; });
      const lda = ldaDiscriminants(cov, mean, cn, m, w, [0, 1], 1e-3);
      if (!lda) continue;
      idx.forEach((i, q) => { if (q % 5 !== f) return; let sc = lda.bias[0] - lda.bias[1]; for (let j = 0; j < w; j++) sc += (lda.wgt[j] - lda.wgt[w + j]) * det.waveforms[i * w + j]; score[q] = sc; });
    }
    const t = idx.map((_, q) => q).filter((q) => cls[q] === 0).map((q) => score[q]).sort((a, b) => a - b);
    for (const q of [0.01, 0.05]) {
      const thr = t[Math.floor(q * t.length)];
      const key = `${set.name} LDA(T/B, supervised) q${q}`;
      const v = sep.get(key) ?? [0, 0, 0];
      v[0] += idx.filter((_, z) => cls[z] === 1 && score[z] < thr).length; v[1] += nB; v[2] += Math.floor(q * t.length);
      sep.set(key, v);
    }
    const lr = idx.filter((_, z) => score[z] < 0);
    rows.push(`   unit ${c} LDA T/B: nT ${nT} nB ${nB}; score<0 (equal-cost): B ${lr.filter((i) => trueOf[i] < 0).length} T ${lr.filter((i) => trueOf[i] >= 0).length}`);
  }
  // Unsupervised thresholds from all of a unit's events.
  for (const [c, au] of all) {
    if (au.length < 10) continue;
    {
      const v = au.map((a) => a.v.llr).sort((a, b) => a - b);
      const qi = (p: number) => { const h = (v.length - 1) * p, lo = Math.floor(h), hi = Math.min(v.length - 1, lo + 1); return v[lo] + (h - lo) * (v[hi] - v[lo]); };
      const m = qi(0.5), hi = qi(0.99), cut = 2 * m - hi;
      const below = au.filter((a) => a.v.llr < cut), above = au.filter((a) => a.v.llr > hi).length;
      rows.push(`   unit ${c} llr median ${m.toFixed(0)} q99 ${hi.toFixed(0)} cut ${cut.toFixed(0)} below ${below.length} (T ${below.filter((a) => a.g === 'T').length} B ${below.filter((a) => a.g === 'B').length} O ${below.filter((a) => a.g === 'O').length}) above ${above} fires ${binomialUpperTail(below.length + above, below.length, 2 / 3) <= 0.01}`);
    }
    for (const s of ['llr', 'amp'] as Stat[]) {
      const v = au.map((a) => a.v[s]).sort((a, b) => a - b);
      const qq = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.floor(p * v.length)))];
      const med = qq(0.5), mad = 1.4826 * (() => { const d = v.map((x) => Math.abs(x - med)).sort((a, b) => a - b); return d[d.length >> 1]; })();
      // Half-sample mode (Bickel & Fruehwirth 2006): a centre robust to one-sided contamination.
      let lo = 0, hi = v.length - 1;
      while (hi - lo + 1 > 3) { const h = Math.ceil((hi - lo + 1) / 2); let b = lo, bw = Infinity; for (let i = lo; i + h - 1 <= hi; i++) if (v[i + h - 1] - v[i] < bw) { bw = v[i + h - 1] - v[i]; b = i; } lo = b; hi = b + h - 1; }
      const hsm = hi - lo + 1 === 3 ? (v[lo + 1] - v[lo] < v[hi] - v[lo + 1] ? (v[lo] + v[lo + 1]) / 2 : v[lo + 1] - v[lo] > v[hi] - v[lo + 1] ? (v[lo + 1] + v[hi]) / 2 : v[lo + 1]) : (v[lo] + v[hi]) / 2;
      const rules: Array<[string, number]> = [
        ['hsm mirror a0.01', 2 * hsm - qq(0.99)], ['hsm mirror a0.05', 2 * hsm - qq(0.95)],
        ['mad a0.01', med - 2.3263 * mad], ['mad a0.001', med - 3.0902 * mad],
        ['mirror a0.01', 2 * med - qq(0.99)], ['mirror a0.005', 2 * med - qq(0.995)], ['mirror a0.02', 2 * med - qq(0.98)], ['mirror a0.05', 2 * med - qq(0.95)],
      ];
      for (const [name, thr] of rules) {
        const key = `${set.name} ${s} ${name}`;
        const r = sep.get(key) ?? [0, 0, 0, 0];
        for (const a of au) if (a.v[s] < thr) r[a.g === 'B' ? 0 : a.g === 'T' ? 2 : 3]++;
        r[1] += au.filter((a) => a.g === 'B').length;
        sep.set(key, r);
      }
    }
  }
  for (const [, pu] of per) for (const s of STATS) for (const q of [0.01, 0.05]) {
    const t = pu.T.map((r) => r[s]).sort((a, b) => a - b);
    if (t.length < 20) continue;
    const thr = t[Math.floor(q * t.length)];
    const key = `${set.name} ${s} q${q}`;
    const v = sep.get(key) ?? [0, 0, 0];
    v[0] += pu.B.filter((r) => r[s] < thr).length; v[1] += pu.B.length; v[2] += Math.floor(q * t.length);
    sep.set(key, v);
  }
  console.error(`${set.name} s${set.seed} done, w ${w} unassigned ${cl.labels.filter((l) => l < 0).length} bgUnassigned ${cl.labels.filter((l, i) => l < 0 && trueOf[i] < 0).length} bg ${trueOf.filter((u) => u < 0).length} n ${n}`);
}
if (process.env.SORT_BG_UNITS) for (const r of rows) console.log(r);
const q = (v: number[], p: number) => { const s = v.filter((a) => !Number.isNaN(a)).sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const table: Record<string, unknown>[] = [];
for (const [g, e] of groups) for (const s of STATS) {
  if (g.endsWith('R') && s !== 'yy') continue;
  table.push({ group: g, stat: s, n: e[s].length, p01: +q(e[s], 0.01).toFixed(2), p05: +q(e[s], 0.05).toFixed(2), p25: +q(e[s], 0.25).toFixed(2), p50: +q(e[s], 0.5).toFixed(2), p75: +q(e[s], 0.75).toFixed(2), p95: +q(e[s], 0.95).toFixed(2), p99: +q(e[s], 0.99).toFixed(2) });
}
console.table(table);
console.table([...sep].map(([key, v]) => ({ key, bgRejected: v[0], bgInUnits: v[1], trueRejected: v[2], otherRejected: v[3] })));
