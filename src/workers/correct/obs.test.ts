import { describe, expect, it } from 'vitest';
import { fitObs, obsAccumulator, obsAdd, obsSubtract } from './obs';
import { Rng } from '../rng';

describe('OBS basis', () => {
  const E = 60;
  const r = new Rng(9);
  const shapes = [0, 1, 2].map((k) => Float64Array.from({ length: E }, (_, i) => Math.sin((Math.PI * (k + 1) * (i + 0.5)) / E)));
  const epochs = Array.from({ length: 400 }, () => {
    const w = [5 * r.normal(), 2 * r.normal(), 0.5 * r.normal()];
    return Float64Array.from({ length: E }, (_, i) => w[0] * shapes[0][i] + w[1] * shapes[1][i] + w[2] * shapes[2][i] + 0.01 * r.normal());
  });
  const acc = obsAccumulator(E);
  for (const e of epochs) obsAdd(acc, e, 0);

  it('finds the leading components of low-rank epochs in order', () => {
    const m = fitObs(acc, 2);
    expect(m.k).toBe(2);
    for (let c = 0; c < 2; c++) {
      const s = shapes[c];
      const ns = Math.sqrt(s.reduce((a, v) => a + v * v, 0));
      let dot = 0;
      for (let i = 0; i < E; i++) dot += m.basis[c * E + i] * s[i];
      expect(Math.abs(dot / ns)).toBeGreaterThan(0.999);
    }
    expect(m.eigenvalues[0]).toBeGreaterThan(m.eigenvalues[1]);
  });

  it('chooses the component count by explained variance and removes what it explains', () => {
    const m = fitObs(acc, 0, 0.999);
    expect(m.k).toBe(3);
    expect(m.explained).toBeGreaterThan(0.999);
    const e = Float64Array.from(epochs[7]);
    obsSubtract(m, epochs[7], 0, e, 0, E);
    expect(Math.max(...e.map(Math.abs))).toBeLessThan(0.06);
  });
});
