// Min/max decimation for trace display: each output column holds the extremes of its samples,
// so spikes stay visible however far the user zooms out.

export interface MinMax { min: Float32Array; max: Float32Array }

/** Reduce x to `columns` (min, max) pairs; with fewer samples than columns every sample is kept. */
export function minMaxDecimate(x: Float32Array, columns: number): MinMax {
  const n = x.length;
  if (n <= columns) return { min: Float32Array.from(x), max: Float32Array.from(x) };
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  for (let c = 0; c < columns; c++) {
    const a = Math.floor((c * n) / columns);
    const b = Math.floor(((c + 1) * n) / columns);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b; i++) {
      const v = x[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = lo;
    max[c] = hi;
  }
  return { min, max };
}
