// Lazy loader for the strict plotly bundle (no eval, works under the CSP); loaded on first use so
// the first paint does not wait for it.
import { useCallback, useRef, type MutableRefObject } from 'react';
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

let webgl: boolean | null = null;

/**
 * Whether this browser can draw WebGL (scattergl); headless or blocked GPUs may not. Asked once:
 * each probe is a WebGL context, and Chromium keeps at most 16 alive, dropping the oldest (the
 * probe ran at every redraw of every small plot, so stepping through units made the cluster
 * scatter's context the one dropped: a blank scatter). The probe's own context is released at once.
 */
export function hasWebGL(): boolean {
  if (webgl !== null) return webgl;
  try {
    const c = document.createElement('canvas');
    const gl = (c.getContext('webgl') ?? c.getContext('experimental-webgl')) as WebGLRenderingContext | null;
    webgl = !!gl;
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    webgl = false;
  }
  return webgl;
}

/**
 * Purge a plot and release its WebGL contexts now (plotly leaves them to the garbage collector,
 * and until it runs they count against the browser's limit).
 */
export function releasePlot(P: PlotlyLike, el: HTMLElement): void {
  const canvases = [...el.querySelectorAll<HTMLCanvasElement>('canvas.gl-canvas')];
  P.purge(el);
  for (const c of canvases) (c.getContext('webgl') as WebGLRenderingContext | null)?.getExtension('WEBGL_lose_context')?.loseContext();
}

/**
 * The ref of a plot's element: the plot is released (releasePlot) when its element goes, on unmount
 * or when an empty state replaces it. (A cleanup effect reading a ref object on unmount finds it
 * already null, React detaches refs first, so the plots were never purged.)
 */
export function usePlotRef<T extends HTMLElement>(): { ref: MutableRefObject<T | null>; setRef: (el: T | null) => void } {
  const ref = useRef<T | null>(null);
  const setRef = useCallback((el: T | null) => {
    const old = ref.current;
    ref.current = el;
    if (old && old !== el) void plotly().then((P) => releasePlot(P, old));
  }, []);
  return { ref, setRef };
}
