// Issue 13: the sorter is judged only on seeds no choice was made on. The seed lists of
// test/engine/sort-eval.ts must stay disjoint (a seed moved or copied into a second list would let a
// tuning draw count as evaluation), and 'pooled' must be exactly the three evaluation lists.
import { describe, expect, it } from 'vitest';
import { EVALUATION_SEEDS, FRESH_EVALUATION_SEEDS, FURTHER_EVALUATION_SEEDS, TUNING_SEEDS } from './sort-eval';
import { seedsOf } from '../../bench/sortquality.bench';

describe('sort evaluation seeds', () => {
  const lists = { tuning: TUNING_SEEDS, evaluation: EVALUATION_SEEDS, further: FURTHER_EVALUATION_SEEDS, fresh: FRESH_EVALUATION_SEEDS };
  for (const gen of ['quiroga', 'spikes'] as const) {
    it(`${gen}: no seed is in two lists`, () => {
      const owner = new Map<number, string>();
      for (const [name, l] of Object.entries(lists)) {
        for (const s of l[gen]) {
          expect(owner.get(s), `${gen} seed ${s} in ${owner.get(s)} and ${name}`).toBeUndefined();
          owner.set(s, name);
        }
      }
    });
    it(`${gen}: pooled is the evaluation, further and fresh seeds`, () => {
      expect([...seedsOf('pooled')[gen]]).toEqual([...EVALUATION_SEEDS[gen], ...FURTHER_EVALUATION_SEEDS[gen], ...FRESH_EVALUATION_SEEDS[gen]]);
      expect(seedsOf('pooled')[gen].some((s) => (TUNING_SEEDS[gen] as readonly number[]).includes(s))).toBe(false);
    });
  }
});
