// Cross-channel low rank: the shapes the montage's artifacts are made of, from the selection channels'
// all-epoch templates (leading left singular vectors). The gradient artifact on every channel is the
// induced voltage of the same three gradient axes with per-channel weights, so these few shapes carry
// every channel's artifact and its drift (head motion changes the axes' coupling). The template model
// that uses them ('cross', cross-drift.ts) is one candidate of the held-out choice (select.ts), so it is
// used only when it predicts held-out epochs best; for each selection channel its shapes come from the
// OTHER selection channels only, so the channel's own EEG cannot enter them.

import type { CorrectionPlan, ShapeSource } from './plan';
import { shapeColumns } from './cross-drift';
import { leadingShapes } from './low-rank';
import { fitChannelTemplate, type TemplateModel } from './spline-aas';

/** Largest cross-channel rank tried. Source: three gradient axes (the induced voltage is linear in their
 * slew rates); not tuned on data. */
export const MAX_CROSS_RANK = 3;

export interface SelectionShapes {
  /** Largest rank available (at most MAX_CROSS_RANK and one less than the shape channels). */
  maxRank: number;
  /** Shape columns (maxRank, each P long) from every shape channel but selection channel i. */
  others(i: number): Float64Array[];
  /** Row-major P x R shapes from all shape channels. */
  all(R: number): number[];
  /** Every shape channel's all-epoch template coefficients. */
  coefs: Float64Array[];
}

export function selectionShapes(source: ShapeSource, plan: CorrectionPlan): SelectionShapes | null {
  const maxRank = Math.min(MAX_CROSS_RANK, source.count - 1);
  if (maxRank < 1) return null;
  const K = plan.positions.length;
  const all: TemplateModel = { kind: 'window', window: K };
  const cols = Array.from({ length: source.count }, (_, i) => { const x = source.read(i); return fitChannelTemplate((a, b) => x.subarray(a, b), plan, all).coef!; });
  const P = cols[0].length;
  return {
    maxRank, coefs: cols,
    others: (i) => shapeColumns(leadingShapes(cols.filter((_, j) => j !== source.of[i]), maxRank).basis, P, maxRank),
    all: (R) => Array.from(leadingShapes(cols, R).basis),
  };
}

/** The report of the cross-channel decision: used or not, the best cross-channel candidate's held-out
 * error against the best per-channel one (both relative to the best candidate), and the decision's
 * figures (select.ts, crossDecision). */
export function describeCrossChannel(candidates: Array<{ model: TemplateModel; relError: number }>, chosen: TemplateModel, decision?: { rank: number; trackingCost: number; avoidedLeak: number } | null): string {
  const cross = candidates.filter((c) => c.model.kind === 'cross');
  if (!cross.length) return 'not tried';
  const bestCross = cross.reduce((a, b) => (b.relError < a.relError ? b : a));
  const own = candidates.filter((c) => c.model.kind !== 'cross').reduce((a, b) => (b.relError < a.relError ? b : a));
  const used = chosen.kind === 'cross';
  const r = (m: TemplateModel): string => (m.kind === 'cross' ? `rank ${m.rank}` : m.kind === 'drift' ? `drift ${m.functions}${m.rank ? ` rank ${m.rank}` : ''}` : `window ${m.window}`);
  return `${used ? `used (rank ${chosen.kind === 'cross' ? chosen.rank : 0})` : 'not used'}: held-out error of the best cross-channel model (${r(bestCross.model)}) ${bestCross.relError.toFixed(3)}, best per-channel model (${r(own.model)}) ${own.relError.toFixed(3)} (1 = best candidate)${decision ? `; rank ${decision.rank} against the per-channel choice: tracking cost ${decision.trackingCost.toFixed(4)}, EEG take-up avoided ${decision.avoidedLeak.toFixed(4)} (per channel, in units of its held-out error)` : ''}`;
}
