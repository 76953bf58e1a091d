// Lazy loader for the strict plotly bundle (no eval, works under the CSP); loaded on first use so
// the first paint does not wait for it.
export interface PlotlyLike {
  react(el: HTMLElement, data: unknown[], layout: unknown, config?: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
  /** The plot as a data URL (PNG: base64; SVG: URL-encoded), for File > Export. */
  toImage(el: HTMLElement, opts: { format: 'png' | 'svg'; width: number; height: number }): Promise<string>;
}

let loading: Promise<PlotlyLike> | null = null;

export function plotly(): Promise<PlotlyLike> {
  loading ??= import('plotly.js-strict-dist-min').then((m: { default?: unknown }) => (m.default ?? m) as PlotlyLike);
  return loading;
}

/** Whether this browser can draw WebGL (scattergl); headless or blocked GPUs may not. */
export function hasWebGL(): boolean {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl') || c.getContext('experimental-webgl'));
  } catch {
    return false;
  }
}
