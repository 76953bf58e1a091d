import { describe, expect, it } from 'vitest';
import { ALLEN_RULE, describeRule, judgeUnit, ruleLabels } from './quality-rule';

const good = { violationRatio: 0.1, amplitudeCutoff: 0.02, presenceRatio: 1 };

describe('quality rule (Allen Institute unit filter)', () => {
  it('passes a unit only when every test passes, with the thresholds strict as published', () => {
    expect(judgeUnit(good)).toEqual({ label: 'good', reasons: [] });
    expect(ALLEN_RULE).toEqual({ maxViolationRatio: 0.5, maxAmplitudeCutoff: 0.1, minPresenceRatio: 0.9 });
    expect(judgeUnit({ ...good, violationRatio: 0.5 }).reasons).toEqual(['violation ratio 0.50 ≥ 0.5']);
    expect(judgeUnit({ ...good, violationRatio: 0.49 }).label).toBe('good');
    expect(judgeUnit({ ...good, amplitudeCutoff: 0.1 }).reasons).toEqual(['amplitude cutoff 0.10 ≥ 0.1']);
    expect(judgeUnit({ ...good, presenceRatio: 0.9 }).reasons).toEqual(['presence ratio 0.90 ≤ 0.9']);
    expect(judgeUnit({ violationRatio: 2, amplitudeCutoff: 0.5, presenceRatio: 0.5 }).reasons).toHaveLength(3);
  });

  it('says mua, and why, when a metric is missing or not a number', () => {
    expect(judgeUnit({ ...good, amplitudeCutoff: null })).toEqual({ label: 'mua', reasons: ['amplitude cutoff unknown (under 100 spikes)'] });
    expect(judgeUnit({ ...good, amplitudeCutoff: NaN }).label).toBe('mua');
    expect(judgeUnit({ amplitudeCutoff: 0, presenceRatio: 1 }).reasons).toEqual(['violation ratio unknown']);
    expect(judgeUnit({ ...good, presenceRatio: Infinity }).reasons).toEqual(['presence ratio unknown']);
  });

  it('judges only unsorted units and names its thresholds', () => {
    const units = [
      { id: 4, label: 'unsorted' as const, metrics: good },
      { id: 7, label: 'noise' as const, metrics: good },
      { id: 9, label: 'unsorted' as const, metrics: { ...good, presenceRatio: 0.2 } },
    ];
    expect(ruleLabels(units)).toEqual([{ id: 4, label: 'good' }, { id: 9, label: 'mua' }]);
    expect(ruleLabels(units, { ...ALLEN_RULE, minPresenceRatio: 0.1 })).toEqual([{ id: 4, label: 'good' }, { id: 9, label: 'good' }]);
    expect(describeRule()).toMatch(/violation ratio < 0\.5, amplitude cutoff < 0\.1 and presence ratio > 0\.9/);
  });
});
