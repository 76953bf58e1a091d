// Shape of one benchmark row. Each bench/<area>.bench.ts default-exports a function returning rows;
// bench/run.ts runs them all and writes bench/results/latest.json and latest.md.

export interface BenchRow {
  area: string;
  name: string;
  /** Unit of value/reference, e.g. 'Msamples/s', 'ms', 'MB'. */
  unit: string;
  value: number;
  /** The reference measured in the same run (scipy, sklearn, plain read...), if any. */
  reference?: number;
  referenceName?: string;
  /** ours / reference for throughputs, reference / ours for times: > 1 means we are faster. */
  ratio?: number;
  target?: string;
  pass?: boolean;
  note?: string;
}

export interface BenchContext {
  /** Python with numpy/scipy/sklearn, or null when not installed (say so in a note). */
  python: string | null;
  /** Scratch directory for generated files, removed afterwards. */
  tmpDir: string;
  /** Quick mode: smaller sizes (used by CI smoke runs). */
  quick: boolean;
}

export type BenchFn = (ctx: BenchContext) => Promise<BenchRow[]>;

/** Median of several timed runs after warm-up, in milliseconds. */
export async function medianMs(fn: () => unknown | Promise<unknown>, runs = 5, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
