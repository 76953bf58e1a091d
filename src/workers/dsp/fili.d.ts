// Type declarations for the parts of the untyped `fili` package (MIT) that the filter design uses.
declare module 'fili' {
  /** One biquad as fili returns it: a = [a1, a2] and b = [b0, b1, b2], both already divided by a0. */
  export interface FiliBiquad {
    a: number[];
    b: number[];
    a0: number;
    k: number;
    z: number[];
  }
  export interface FiliCascadeParams {
    /** Number of biquads (order 2 = a 4th-order filter). */
    order: number;
    characteristic: 'butterworth' | 'bessel';
    Fs: number;
    Fc: number;
    BW?: number;
    gain?: number;
    preGain?: boolean;
  }
  export interface FiliBiquadParams {
    Fs: number;
    Fc: number;
    Q: number;
  }
  export interface FiliCalcCascades {
    lowpass(p: FiliCascadeParams): FiliBiquad[];
    highpass(p: FiliCascadeParams): FiliBiquad[];
    bandstop(p: FiliCascadeParams): FiliBiquad[];
  }
  export interface FiliIirCoeffs {
    lowpass(p: FiliBiquadParams): FiliBiquad;
    highpass(p: FiliBiquadParams): FiliBiquad;
    bandstop(p: FiliBiquadParams): FiliBiquad;
  }
  const fili: {
    CalcCascades: new () => FiliCalcCascades;
    IirCoeffs: new () => FiliIirCoeffs;
  };
  export default fili;
}
