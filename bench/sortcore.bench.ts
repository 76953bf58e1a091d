// Sort core benchmarks: PCA fit of waveform matrices and one GMM EM iteration, against sklearn
// (bench/py/sortcore.py) on data of the same shape. Times are medians after warm-up.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/workers/rng';
import { emIteration, fitGmm } from '../src/workers/sort/gmm';
import { pca } from '../src/workers/sort/pca';
import { medianMs, type BenchContext, type BenchRow } from './types';

function waveforms(n: number, d: number, rng: Rng): Float32Array {
  const X = new Float32Array(n * d);
  const basis = [0, 1, 2, 3].map((b) => Array.from({ length: d }, (_, j) => {
    const t = j / (d - 1);
    return [Math.exp(-(((t - 0.3) / 0.05) ** 2)), Math.sin(2 * Math.PI * t), t - 0.5, Math.cos(6 * t)][b];
  }));
  const scale = [40, 10, 5, 3];
  for (let r = 0; r < n; r++) {
    const z = scale.map((s) => s * rng.normal());
    for (let j = 0; j < d; j++) X[r * d + j] = z[0] * basis[0][j] + z[1] * basis[1][j] + z[2] * basis[2][j] + z[3] * basis[3][j] + 10 * rng.normal();
  }
  return X;
}

function blobs(n: number, k: number, rng: Rng): Float32Array {
  const centres = Array.from({ length: k * 3 }, () => 20 * rng.normal());
  const X = new Float32Array(n * 3);
  for (let r = 0; r < n; r++) {
    const c = rng.int(k);
    for (let j = 0; j < 3; j++) X[r * 3 + j] = centres[c * 3 + j] + 3 * rng.normal();
  }
  return X;
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  const nPca = ctx.quick ? 20000 : 100000, d = 60, nGmm = ctx.quick ? 20000 : 100000, k = 5;
  const runs = ctx.quick ? 3 : 7;
  const rng = new Rng(1);
  const W = waveforms(nPca, d, rng);
  const G = blobs(nGmm, k, rng);
  const model = fitGmm(G, nGmm, 3, k, { maxIter: 3, seed: 0 });
  const resp = new Float64Array(nGmm * k);
  const timeOurs = async () => ({
    pcaMs: await medianMs(() => pca(W, nPca, d, 3), runs),
    pcaProjMs: await medianMs(() => pca(W, nPca, d, 3).project(W), runs),
    emMs: await medianMs(() => emIteration(model, G, nGmm, resp), runs),
  });
  let ours: Awaited<ReturnType<typeof timeOurs>> | null = null;

  type PeerTimes = { pca_ms: number; pca_full_ms: number; em_ms: number };
  let ref: PeerTimes | null = null;
  let note: string | undefined;
  const peer = (): PeerTimes => {
    const script = fileURLToPath(new URL('./py/sortcore.py', import.meta.url));
    const out = execFileSync(ctx.python!, [script, String(nPca), String(d), String(nGmm), String(k), String(runs)], { encoding: 'utf8', timeout: 600_000 });
    return JSON.parse(out.trim().split('\n').pop()!);
  };
  if (ctx.python) {
    try {
      // The peer runs before and after our timings; the faster of its two medians is the reference
      // (conservative for us when the machine is shared).
      const a = peer();
      ours = await timeOurs();
      const b = peer();
      ref = { pca_ms: Math.min(a.pca_ms, b.pca_ms), pca_full_ms: Math.min(a.pca_full_ms, b.pca_full_ms), em_ms: Math.min(a.em_ms, b.em_ms) };
    } catch (e) {
      note = `sklearn peer failed: ${(e as Error).message.split('\n')[0]}`;
    }
  } else {
    note = 'python with sklearn is not installed: no reference';
  }
  if (!ours) ours = await timeOurs();
  const { pcaMs, pcaProjMs, emMs } = ours;
  const row = (name: string, value: number, refMs: number | undefined, refName: string, extra?: string): BenchRow => ({
    area: 'sortcore', name, unit: 'ms', value,
    ...(refMs !== undefined ? { reference: refMs, referenceName: refName, ratio: refMs / value, target: 'ratio >= 1 (no slower)', pass: refMs / value >= 1 } : {}),
    note: [note, extra].filter(Boolean).join('; ') || undefined,
  });
  return [
    row(`PCA fit ${nPca} x ${d} -> 3 PCs`, pcaMs, ref?.pca_ms, 'sklearn PCA(3).fit (auto solver)'),
    row(`PCA fit ${nPca} x ${d} -> 3 PCs (vs full SVD)`, pcaMs, ref?.pca_full_ms, "sklearn PCA(3, svd_solver='full').fit"),
    { area: 'sortcore', name: `PCA fit + project ${nPca} x ${d}`, unit: 'ms', value: pcaProjMs },
    row(`GMM one EM iteration ${nGmm} x 3, k=${k}`, emMs, ref?.em_ms, 'sklearn GaussianMixture _e_step + _m_step'),
  ];
}
