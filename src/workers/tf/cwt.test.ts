// Parity with MNE 1.3's morlet() and tfr_array_morlet(output='power') on committed fixtures, and
// the structural equalities the parallel strategies rely on (blocks and frequency subsets).
import { describe, expect, it } from 'vitest';
import { cwtGeometry, makeBank, morletPower, transformBlocks, type MorletParams } from './cwt';
import { morletWavelet } from './morlet';
import { load, manifest, maxRel } from './mne-fixtures.test-util';

function paramsOf(c: (typeof manifest.cases)[number]): MorletParams {
  return { freqs: c.freqs, nCycles: c.n_cycles, zeroMean: c.zero_mean, decim: c.decim };
}

describe('Morlet wavelets (MNE morlet)', () => {
  for (const w of manifest.wavelets) {
    it(`${w.sfreq} Hz, ${w.freq} Hz, ${w.n_cycles} cycles, zero_mean=${w.zero_mean}`, () => {
      const ours = morletWavelet(w.sfreq, w.freq, w.n_cycles, w.zero_mean);
      const re = load(w.re), im = load(w.im);
      expect(ours.re.length).toBe(re.length);
      let err = 0;
      for (let i = 0; i < re.length; i++) err = Math.max(err, Math.abs(ours.re[i] - re[i]), Math.abs(ours.im[i] - im[i]));
      expect(err).toBeLessThan(1e-12);
    });
  }
});

describe('tfr_array_morlet parity (output=power, phase)', () => {
  for (const c of manifest.cases) {
    it(`${c.name}: within 1e-6 relative of MNE ${manifest.mne}`, () => {
      const x = load(c.x);
      const ref = load(c.power);
      const { geom, power, phase } = morletPower(x, c.sfreq, paramsOf(c), true);
      expect([c.freqs.length, geom.nOut]).toEqual(c.power.shape);
      expect(maxRel(power, ref)).toBeLessThan(1e-6);
      // Phase: compare where the power is not negligible (the angle of ~0 is arbitrary).
      const refPh = load(c.phase);
      let max = 0;
      for (const v of ref) max = Math.max(max, v);
      let err = 0;
      for (let i = 0; i < ref.length; i++) {
        if (ref[i] < 1e-8 * max) continue;
        let d = Math.abs(phase![i] - refPh[i]);
        d = Math.min(d, 2 * Math.PI - d);
        err = Math.max(err, d);
      }
      expect(err).toBeLessThan(1e-6);
    });
  }

  it('refuses a wavelet longer than the signal (as MNE does)', () => {
    expect(() => cwtGeometry(100, 250, { freqs: [2], nCycles: 7, zeroMean: false, decim: 1 })).toThrow(/longer than the signal/);
  });
});

describe('block and frequency-subset equality', () => {
  const c = manifest.cases.find((k) => k.name === 'multiblock_d2')!;
  const x = load(c.x);
  const p = paramsOf(c);
  const geom = cwtGeometry(x.length, c.sfreq, p);
  const whole = morletPower(x, c.sfreq, p).power;

  it('uses several blocks', () => expect(geom.nBlocks).toBeGreaterThan(3));

  it('block ranges and single frequencies give the whole result bit for bit', () => {
    const read = (s: number, e: number): Float64Array => x.subarray(s, e);
    for (let fi = 0; fi < p.freqs.length; fi++) {
      const bank = makeBank(geom, p, [fi]);
      const row = new Float64Array(geom.nOut);
      // Uneven block ranges, as low-memory chunks would cut them.
      const cuts = [0, 1, 3, geom.nBlocks];
      for (let i = 0; i + 1 < cuts.length; i++) {
        transformBlocks(bank, read, cuts[i], cuts[i + 1], { power: row, rowLength: geom.nOut, outOffset: 0 });
      }
      expect(row).toEqual(whole.subarray(fi * geom.nOut, (fi + 1) * geom.nOut));
    }
  });

  it('any block group size (bank visits per group) gives the whole result bit for bit', () => {
    const read = (s: number, e: number): Float64Array => x.subarray(s, e);
    const bank = makeBank(geom, p);
    for (const groupBlocks of [1, 2, 3]) {
      const power = new Float64Array(p.freqs.length * geom.nOut);
      const seen: number[] = [];
      transformBlocks(bank, read, 0, geom.nBlocks, { power, rowLength: geom.nOut, outOffset: 0 }, (b) => seen.push(b), groupBlocks * 16 * geom.N);
      expect(power).toEqual(whole);
      expect(seen).toEqual(Array.from({ length: geom.nBlocks }, (_, b) => b));
    }
  });
});
