// Peeling as refractory evidence (issue 13), TUNING seeds only. The detector's 1 ms dead time hides
// a merged pair's closest cross pairs (0-1 ms), a window twice the 1-1.5 ms the refractory tests see.
// Peeling (peel.ts) with the refractory rule off finds spikes hidden under a cluster's own spikes:
// for two neurons in one cluster these would be the other neuron's, for one neuron only misfits.
// Prints, per final cluster (peeling off in the clusters), its composition (true units / background)
// and its own hidden spikes inside the refractory period; then the same for the true partition and
// for each pair of true units joined.
// Measured (seeds 101-110 x 20 s, difficult 0.15 / 0.20): true units 0-19 each, true pairs joined
// 4-73 (1-43 more than their two units); but the sorter's merged clusters 0-31 against 0-25 for its
// single-unit clusters (many of those 15-25). No count separates them, so it was not built in.
//   npx tsx bench/sort-peel-evidence.ts [sets]   (SORT_TUNE_SEEDS, SORT_TUNE_S as sort-tune.ts)
import { sortTuningChannel, tuningRun } from './sort-tuning-setup';
import { detectionTruth } from '../src/workers/sort/evaluate';
import { peel } from '../src/workers/sort/peel';
const { wanted, params } = tuningRun(['difficult', 'easy']);
for (const set of wanted) {
  const { truth, fsr, x, filtered, det, feat, cp, cl } = sortTuningChannel(set, params);
  const n = det.samples.length, w = det.width, nu = truth.length;
  const trueOf = detectionTruth(det.samples, truth, Math.round(0.0004 * fsr));
  const ms = fsr / 1000;
  const run = (labels: Int32Array, k: number) => {
    const p = peel((a, b) => filtered.subarray(a, b), x.length, { samples: det.samples, subSamples: det.subSamples, waveforms: det.waveforms, width: w, pre: det.pre, labels, k, whitener: feat.whitener },
      { searchLag: Math.round(cp.overlapMs * ms), minLag: Math.max(1, Math.round(cp.minPairLagMs * ms)), refractory: 0, maxPerRegion: params.cluster.peelMax, amplitudeQuantile: cp.peelAmplitudeQuantile, medianRows: cp.peelMedianRows });
    const refr = Math.round(cp.refractoryMs * ms);
    const own = new Float64Array(k), all = new Float64Array(k);
    // same-label peeled spikes within refr of a same-label detection
    for (let i = 0; i < p.samples.length; i++) {
      const c = p.labels[i]; all[c]++;
      let lo = 0, hi = n; while (lo < hi) { const m = (lo + hi) >> 1; if (det.samples[m] < p.samples[i] - refr) lo = m + 1; else hi = m; }
      for (let j = lo; j < n && det.samples[j] <= p.samples[i] + refr; j++) if (labels[j] === c) { own[c]++; break; }
    }
    return { own, all };
  };
  const r = run(cl.labels, cl.k);
  for (let c = 0; c < cl.k; c++) {
    const comp = new Array(nu + 1).fill(0);
    for (let i = 0; i < n; i++) if (cl.labels[i] === c) comp[trueOf[i] >= 0 ? trueOf[i] : nu]++;
    console.log(set.name, set.seed, 'cl', c, 'comp', comp.join('/'), 'peeledOwnInRefr', r.own[c], 'peeled', r.all[c]);
  }
  // oracle: true labels (background -> -1), and each true pair joined
  const tl = Int32Array.from(trueOf, (v) => (v >= 0 ? v : -1));
  const rt = run(tl, nu);
  console.log(set.name, set.seed, 'truth', Array.from(rt.own).join(' '));
  for (let a = 0; a < nu; a++) for (let b = a + 1; b < nu; b++) {
    const jl = Int32Array.from(tl, (v) => (v === b ? a : v));
    const rj = run(jl, nu);
    console.log(set.name, set.seed, `joined ${a}-${b}`, rj.own[a]);
  }
}
