// A published single-unit rule over the quality metrics, so a student gets a first good / mua split
// of the units to start curating from (SpikeInterface-style threshold curation; Kilosort's KSLabel
// plays the same role). The thresholds are the Allen Institute's default unit filter for its Visual
// Coding Neuropixels data: isi_violations < 0.5, amplitude_cutoff < 0.1, presence_ratio > 0.9
// (Siegle et al. 2021, Nature 592:86-92; AllenSDK "ecephys quality metrics"). Their isi_violations
// is Hill et al. 2011's ratio with a 1.5 ms refractory period, which is our violationRatio
// (SpikeInterface isi_violations_ratio); amplitude_cutoff and presence_ratio are ours by the same
// definitions (DOMAIN.md). A unit that fails any test, or whose metric cannot be computed (the
// amplitude cutoff needs 100 spikes), is suggested 'mua'; the rule never suggests 'noise'.

import type { Label } from './curation';

export interface QualityRule {
  /** Largest violation ratio (t_r 1.5 ms) of a good unit. */
  maxViolationRatio: number;
  /** Largest estimated fraction of spikes lost below the threshold. */
  maxAmplitudeCutoff: number;
  /** Smallest fraction of the recording's (60 s) bins in which the unit fires. */
  minPresenceRatio: number;
}

/** The Allen Institute's default unit filter (see the header). */
export const ALLEN_RULE: QualityRule = Object.freeze({ maxViolationRatio: 0.5, maxAmplitudeCutoff: 0.1, minPresenceRatio: 0.9 });

export interface RuleVerdict {
  label: Extract<Label, 'good' | 'mua'>;
  /** Why a unit is not good, one short phrase per failed test; empty for good units. */
  reasons: string[];
}

type Metrics = Record<string, number | null | undefined>;

const known = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** The rule's verdict on one unit's metrics (ClusterRow.metrics / units.tsv columns). */
export function judgeUnit(m: Metrics, rule: QualityRule = ALLEN_RULE): RuleVerdict {
  const reasons: string[] = [];
  const vr = m.violationRatio, cut = m.amplitudeCutoff, pr = m.presenceRatio;
  if (!known(vr)) reasons.push('violation ratio unknown');
  else if (!(vr < rule.maxViolationRatio)) reasons.push(`violation ratio ${vr.toFixed(2)} ≥ ${rule.maxViolationRatio}`);
  if (!known(cut)) reasons.push('amplitude cutoff unknown (under 100 spikes)');
  else if (!(cut < rule.maxAmplitudeCutoff)) reasons.push(`amplitude cutoff ${cut.toFixed(2)} ≥ ${rule.maxAmplitudeCutoff}`);
  if (!known(pr)) reasons.push('presence ratio unknown');
  else if (!(pr > rule.minPresenceRatio)) reasons.push(`presence ratio ${pr.toFixed(2)} ≤ ${rule.minPresenceRatio}`);
  return { label: reasons.length ? 'mua' : 'good', reasons };
}

/** One line naming the rule, for tooltips and the CLI. */
export function describeRule(rule: QualityRule = ALLEN_RULE): string {
  return `good when violation ratio < ${rule.maxViolationRatio}, amplitude cutoff < ${rule.maxAmplitudeCutoff} and presence ratio > ${rule.minPresenceRatio} (Allen Institute unit filter); mua otherwise`;
}

/** Labels the rule gives to the units that are still 'unsorted' (labels a user set are never changed). */
export function ruleLabels(units: ReadonlyArray<{ id: number; label: Label; metrics: Metrics }>, rule: QualityRule = ALLEN_RULE): { id: number; label: Label }[] {
  return units.filter((u) => u.label === 'unsorted').map((u) => ({ id: u.id, label: judgeUnit(u.metrics, rule).label }));
}
