// Choosing the artifact template model from the data: each candidate predicts held-out epochs from
// the others (held-out.ts) and, of the candidates within one standard error of the best, the most
// stable one wins.
// The guard matters: slow EEG is shared by neighbouring epochs, so a template fitted to the immediate
// neighbours "predicts" part of the epoch's own EEG and plain leave-one-out rewards exactly the EEG
// leak that correction must avoid (it picked the shortest window on stationary data).
// Channels are summed after dividing each by its best candidate's error, so every channel weighs the same.
// The cross-channel models are decided separately (crossDecision below): a held-out error in the band
// cannot tell EEG taken into a template from artifact drift, and rewards it.

import type { CorrectionPlan, ShapeSource } from './plan';
import type { TemplateModel } from './spline-aas';
import { selectionShapes } from './cross-channel';
import { heldOutErrors, heldOutShared, type HeldOut } from './held-out';

export { GUARD, MAX_EVAL, SELECT_BAND_HZ } from './held-out';
/** Shortest window tried (the lower bound) and the fewest epochs per drift knot interval. */
const MIN_WINDOW = 10;
/** Reduced-rank drift models (drift-rank.ts): temporal functions and the ranks tried. Source: a drift
 * from motion changes the coupling of three gradient axes (rank 3) plus second-order terms; rank 2 never
 * came close on the tuning seeds (held-out error 10-14x the best), so it is not tried (cost). */
const RANK_FUNCTIONS = [11];
const MIN_DRIFT_RANK = 3;
const MAX_DRIFT_RANK = 4;
/** Temporal functions of the cross-channel drift's gains. */
const CROSS_FUNCTIONS = [11];
const MIN_EPOCHS_PER_KNOT = 20;

export interface TemplateChoice {
  model: TemplateModel;
  /** Every candidate with its error relative to the best (1 = best), summed over channels / channels. */
  candidates: Array<{ model: TemplateModel; relError: number }>;
  channels: number;
  evaluatedEpochs: number;
  /** Cross-channel model chosen: its shapes from all selection channels (row-major P x rank). */
  crossBasis: number[] | null;
  /** The cross-channel decision (null when no cross-channel model was tried). */
  crossDecision: CrossDecision | null;
  /** The shape channels' all-epoch template coefficients (null when no cross-channel model was tried). */
  shapeCoefs: Float64Array[] | null;
}

/** The best cross-channel model against the per-channel choice, in units of the per-channel choice's
 * held-out error in the band (summed over channels / channels): its tracking cost (estimated from the
 * error above the band) and the EEG the per-channel model takes up that it avoids; used when the
 * avoided EEG exceeds the tracking cost. */
export interface CrossDecision { rank: number; trackingCost: number; avoidedLeak: number; used: boolean }

/**
 * Cross-channel model j against the per-channel choice m on one channel, in the band: the held-out
 * difference dL = L(j) - L(m) = [t(j) - t(m)] + [leak(m) - leak(j)], because the EEG near the slice
 * harmonics that a template takes up from the other epochs beats slowly and is shared by the held-out
 * epoch, so it lowers the held-out error (t: tracking error, leak: EEG taken up, energies in the band).
 * In the corrected output both add: the change from m to j is [t(j) - t(m)] - [leak(m) - leak(j)] =
 * 2 dT - dL with dT = t(j) - t(m). dT is measured above the band, where the artifact dwarfs the EEG and
 * no EEG is rewarded, and carried into the band by the artifact's own band ratio (bandRatio): an error
 * of the artifact's shape has about the artifact's spectrum. That ratio is only approximate for an error
 * of another shape (a model that misses a whole gradient axis), so dT is also bounded from below by
 * what the leak can explain: leak(m) - leak(j) is at most the EEG near the harmonics that m takes up,
 * which is at most m's own held-out error (m's templates would otherwise take up more than half of the
 * epochs' EEG in the band; drift models take up EEG within ~0.1 Hz of harmonics 10 Hz apart), so
 * dT >= dL - L(m). The leak difference itself (dL - dT) is bounded by the models' stability
 * (effectiveEpochs): the cross-channel drift takes up no more EEG than a less stable per-channel model,
 * and no less than the all-epoch template; the bound keeps the noise of the estimate from reversing it.
 */
export function crossDecision(channels: Array<{ ho: HeldOut; scale: number }>, models: TemplateModel[], perChannel: number, K: number, total: number[]): CrossDecision | null {
  // The cross-channel ranks among themselves: the same all-epoch template c0 and the same temporal
  // functions, with gains fitted to the gradient detail, so they take up the same EEG and their held-out
  // difference in the band is a tracking difference only: the rank with the least held-out error is the
  // one compared with the per-channel choice. (Comparing every rank with the per-channel choice and
  // taking the most favourable let a rank that misses a gradient axis win: its large held-out excess
  // was read as EEG the per-channel model takes up; fresh seed 6067, drifting: rank 2 chosen, true
  // error 0.146 / 0.209 against 0.071 / 0.085 for rank 3.)
  const cross = models.map((m, j) => j).filter((j) => models[j].kind === 'cross');
  if (!cross.length) return null;
  const j = cross.reduce((a, b) => (total[b] < total[a] ? b : a));
  const m = models[j] as { rank: number };
  let dT = 0, dL = 0;
  for (const { ho, scale } of channels) {
    const l = scale * (ho.errors[j] - ho.errors[perChannel]);
    dT += Math.max(scale * ho.bandRatio * (ho.errorsHigh[j] - ho.errorsHigh[perChannel]), l - scale * ho.errors[perChannel]);
    dL += l;
  }
  const lessStable = effectiveEpochs(models[perChannel], K) < effectiveEpochs(models[j], K);
  const leak = lessStable ? Math.max(0, dL - dT) : Math.min(0, dL - dT);
  const d = dT - leak;
  return { rank: m.rank, trackingCost: dT / channels.length, avoidedLeak: leak / channels.length, used: d < 0 };
}

export function describeModel(m: TemplateModel, K: number): string {
  if (m.kind === 'cross') return `cross-channel drift (${m.rank} shapes, ${m.functions} temporal functions)`;
  if (m.kind === 'drift') return m.rank ? `drift (${m.functions} temporal functions, rank ${m.rank})` : `drift (${m.functions} temporal functions)`;
  return m.window >= K ? `all ${K} epochs` : `sliding window of ${m.window} epochs`;
}

export function candidateModels(K: number, crossRanks = 0): TemplateModel[] {
  const out: TemplateModel[] = [];
  for (let N = MIN_WINDOW; N < K; N *= 2) out.push({ kind: 'window', window: N });
  out.push({ kind: 'window', window: K });
  for (const Q of [4, 5, 7, 11]) if ((Q - 3) * MIN_EPOCHS_PER_KNOT <= K) out.push({ kind: 'drift', functions: Q });
  for (const Q of RANK_FUNCTIONS) if ((Q - 3) * MIN_EPOCHS_PER_KNOT <= K) for (let R = MIN_DRIFT_RANK; R <= MAX_DRIFT_RANK; R++) out.push({ kind: 'drift', functions: Q, rank: R });
  for (const Q of CROSS_FUNCTIONS) if ((Q - 3) * MIN_EPOCHS_PER_KNOT <= K) for (let R = 1; R <= crossRanks; R++) out.push({ kind: 'cross', functions: Q, rank: R });
  return out;
}

/** Epochs a model effectively averages (its stability): the simplest model has the most. */
export function effectiveEpochs(m: TemplateModel, K: number): number {
  // Cross-channel drift: the all-epoch template plus R x Q gains fitted to the gradient detail (shapes
  // from other channels), so it takes up little more EEG than one template from all epochs: ranked just
  // below 'all' and above every per-channel model that varies over time.
  if (m.kind === 'cross') return K - 1;
  if (m.kind === 'drift' && m.rank) return K / m.rank;
  return m.kind === 'window' ? Math.min(m.window, K) : K / (m.functions - 2);
}

/**
 * Choose the template model over one or more channels (each read whole, one at a time): the most stable
 * model whose held-out error is within one standard error (paired over held-out epochs) of the best.
 * The own EEG of each held-out epoch dominates every candidate's error, so differences in EEG leak
 * (below 1 % of the EEG power) are within the noise of the comparison; the one-standard-error rule
 * keeps the longest averaging that the data do not contradict.
 */
export function chooseTemplateModel(readChannel: (i: number) => Float32Array, nChannels: number, plan: CorrectionPlan, crossChannel = false, shapeSource?: ShapeSource): TemplateChoice {
  const K = plan.positions.length;
  // Cross-channel candidates need the shapes of the other selection channels (one more read of each).
  const shapes = crossChannel ? selectionShapes(shapeSource ?? { count: nChannels, read: readChannel, of: [...Array(nChannels).keys()] }, plan) : null;
  const models = candidateModels(K, shapes ? shapes.maxRank : 0);
  const total = models.map(() => 0);
  const pooled = models.map(() => new Float64Array(K));
  let evaluatedEpochs = 0;
  const perChannel: Array<{ ho: HeldOut; scale: number }> = [];
  // Factorizations that depend on the epochs' phases only, shared by the channels.
  const shared = heldOutShared();
  for (let i = 0; i < nChannels; i++) {
    const ho = heldOutErrors(readChannel(i), plan, models, shapes?.others(i), shared);
    const { errors, perEpoch, evaluated } = ho;
    const best = Math.min(...errors);
    const scale = best > 0 ? 1 / best : 1;
    perChannel.push({ ho, scale });
    errors.forEach((e, j) => { total[j] += e * scale; for (let k = 0; k < K; k++) pooled[j][k] += perEpoch[j][k] * scale; });
    evaluatedEpochs = evaluated;
  }
  const best = Math.min(...total);
  // The per-channel models by the one-standard-error rule; the cross-channel models by crossDecision.
  const own = models.map((m, j) => j).filter((j) => models[j].kind !== 'cross');
  const bestOwn = Math.min(...own.map((j) => total[j]));
  const bi = total.indexOf(bestOwn);
  const ks = [...pooled[bi].keys()].filter((k) => pooled[bi][k] !== 0);
  const within = models.map((_, j) => {
    if (j === bi) return true;
    const d = ks.map((k) => pooled[j][k] - pooled[bi][k]);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, d.length - 1));
    return mean <= sd / Math.sqrt(d.length);
  });
  let chosen = bi;
  models.forEach((m, j) => { if (m.kind !== 'cross' && within[j] && effectiveEpochs(m, K) > effectiveEpochs(models[chosen], K)) chosen = j; });
  const decision = crossDecision(perChannel, models, chosen, K, total);
  if (decision?.used) chosen = models.findIndex((m) => m.kind === 'cross' && m.rank === decision.rank);
  const model = models[chosen];
  return {
    model, channels: nChannels, evaluatedEpochs,
    candidates: models.map((model, j) => ({ model, relError: total[j] / best })),
    crossBasis: model.kind === 'cross' && shapes ? shapes.all(model.rank) : null,
    crossDecision: decision, shapeCoefs: shapes?.coefs ?? null,
  };
}
