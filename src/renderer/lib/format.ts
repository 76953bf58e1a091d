// Number formats of the units table.

/**
 * A small non-negative quantity spanning decades (L-ratio): 0 as "0", from 0.01 up with two
 * decimals, below that in exponent form ("2.8e-4"), so a table column stays readable.
 */
export function decades(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 0.01 ? v.toFixed(2) : v.toExponential(1);
}
