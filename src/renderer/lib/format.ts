// Number formats of the units table.

/**
 * A small non-negative quantity spanning decades (L-ratio): 0 as "0", from 0.01 up with two
 * decimals, below that in exponent form ("2.8e-4"), so a table column stays readable.
 */
export function decades(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 0.01 ? v.toFixed(2) : v.toExponential(1);
}

/**
 * A non-negative quantity that can grow without bound (isolation distance): one decimal below
 * 1000, then thousands ("9.8k", "125k") and an exponent from a million, so the cell keeps its width.
 */
export function large(v: number): string {
  const a = Math.abs(v);
  if (a < 999.95) return v.toFixed(1);
  if (a < 999_500) return `${(v / 1000).toFixed(a < 9_999.5 ? 1 : 0)}k`;
  return v.toExponential(1);
}

/** "1 channel", "2 channels". */
export function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}
