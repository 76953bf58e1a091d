// Shared canvas set-up for the plot components: size the backing store for the device pixel
// ratio, clear it, and read theme colours from CSS variables.

export interface Canvas2D {
  g: CanvasRenderingContext2D;
  /** Width in CSS pixels. */
  w: number;
  /** A CSS variable's value, or the fallback when unset. */
  cssVar(name: string, fallback: string): string;
}

export function prepareCanvas(canvas: HTMLCanvasElement, height: number): Canvas2D {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(height * dpr);
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, height);
  const style = getComputedStyle(canvas);
  return { g, w, cssVar: (name, fallback) => style.getPropertyValue(name).trim() || fallback };
}
