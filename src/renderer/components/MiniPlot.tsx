// Pure small canvas plot used by the unit and correction views: lines, bars, dots, shaded bands
// and vertical marker lines with a title and axis labels. Knows nothing about stores or IPC.
import { prepareCanvas } from '../lib/canvas';
import { useEffect, useRef } from 'react';

export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  kind?: 'line' | 'bar' | 'dots';
  width?: number;
  alpha?: number;
}

export interface Band { x: ArrayLike<number>; lo: ArrayLike<number>; hi: ArrayLike<number>; color: string; alpha?: number }
export interface VLine { x: number; color: string; dash?: boolean; label?: string }

export interface MiniPlotProps {
  title: string;
  series: Series[];
  bands?: Band[];
  vlines?: VLine[];
  xLabel?: string;
  yLabel?: string;
  height?: number;
  /** Fix the y range (e.g. start at 0 for counts). */
  yMin?: number;
  testId?: string;
  empty?: string;
}

function range(vals: ArrayLike<number>[], fixedMin?: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of vals) for (let i = 0; i < v.length; i++) { const x = v[i]; if (Number.isFinite(x)) { if (x < lo) lo = x; if (x > hi) hi = x; } }
  if (fixedMin !== undefined) lo = fixedMin;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi === lo) return [lo - 1, hi + 1];
  return [lo, hi];
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-2)) return v.toExponential(0);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function MiniPlot({ title, series, bands = [], vlines = [], xLabel, yLabel, height = 150, yMin, testId, empty }: MiniPlotProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const { g, w, cssVar } = prepareCanvas(canvas, height);
    const muted = cssVar('--muted', '#888');
    const border = cssVar('--border', '#ccc');
    const fg = cssVar('--fg', '#222');
    const L = 44, R = 8, T = 18, B = xLabel ? 28 : 16;
    const pw = Math.max(10, w - L - R), ph = Math.max(10, height - T - B);
    g.font = '600 11px system-ui, sans-serif';
    g.fillStyle = fg;
    g.fillText(title, L, 12);
    const hasData = series.some((s) => s.x.length > 0);
    g.strokeStyle = border;
    g.strokeRect(L, T, pw, ph);
    if (!hasData) {
      g.font = '11px system-ui, sans-serif';
      g.fillStyle = muted;
      g.fillText(empty ?? 'no data', L + 8, T + ph / 2);
      return;
    }
    const [x0, x1] = range([...series.map((s) => s.x), ...vlines.map((v) => [v.x])]);
    const [y0, y1] = range([...series.map((s) => s.y), ...bands.flatMap((b) => [b.lo, b.hi])], yMin);
    const sx = (x: number): number => L + ((x - x0) / (x1 - x0)) * pw;
    const sy = (y: number): number => T + ph - ((y - y0) / (y1 - y0)) * ph;
    for (const b of bands) {
      g.globalAlpha = b.alpha ?? 0.25;
      g.fillStyle = b.color;
      g.beginPath();
      for (let i = 0; i < b.x.length; i++) { const X = sx(b.x[i]), Y = sy(b.hi[i]); if (i) g.lineTo(X, Y); else g.moveTo(X, Y); }
      for (let i = b.x.length - 1; i >= 0; i--) g.lineTo(sx(b.x[i]), sy(b.lo[i]));
      g.closePath();
      g.fill();
    }
    for (const s of series) {
      g.globalAlpha = s.alpha ?? 1;
      g.strokeStyle = s.color;
      g.fillStyle = s.color;
      g.lineWidth = s.width ?? 1.2;
      const n = s.x.length;
      if (s.kind === 'bar') {
        const bw = Math.max(1, pw / Math.max(1, n) - 0.5);
        const base = sy(Math.max(y0, 0));
        for (let i = 0; i < n; i++) { const X = sx(s.x[i]); const Y = sy(s.y[i]); g.fillRect(X - bw / 2, Math.min(Y, base), bw, Math.abs(base - Y)); }
      } else if (s.kind === 'dots') {
        for (let i = 0; i < n; i++) g.fillRect(sx(s.x[i]) - 1, sy(s.y[i]) - 1, 2, 2);
      } else {
        g.beginPath();
        let pen = false;
        for (let i = 0; i < n; i++) {
          if (!Number.isFinite(s.y[i])) { pen = false; continue; }
          const X = sx(s.x[i]), Y = sy(s.y[i]);
          if (pen) g.lineTo(X, Y); else g.moveTo(X, Y);
          pen = true;
        }
        g.stroke();
      }
    }
    g.globalAlpha = 1;
    g.font = '10px system-ui, sans-serif';
    for (const v of vlines) {
      g.strokeStyle = v.color;
      g.setLineDash(v.dash ? [4, 3] : []);
      g.beginPath();
      g.moveTo(sx(v.x), T);
      g.lineTo(sx(v.x), T + ph);
      g.stroke();
      if (v.label) { g.fillStyle = v.color; g.fillText(v.label, sx(v.x) + 2, T + 10); }
    }
    g.setLineDash([]);
    g.fillStyle = muted;
    g.textAlign = 'right';
    g.fillText(fmt(y1), L - 3, T + 8);
    g.fillText(fmt(y0), L - 3, T + ph);
    g.textAlign = 'left';
    g.fillText(fmt(x0), L, T + ph + 11);
    g.textAlign = 'right';
    g.fillText(fmt(x1), L + pw, T + ph + 11);
    g.textAlign = 'center';
    if (xLabel) g.fillText(xLabel, L + pw / 2, T + ph + 22);
    if (yLabel) { g.save(); g.translate(10, T + ph / 2); g.rotate(-Math.PI / 2); g.fillText(yLabel, 0, 0); g.restore(); }
    g.textAlign = 'left';
  }, [title, series, bands, vlines, xLabel, yLabel, height, yMin, empty]);
  return <canvas ref={ref} className="mini-plot" style={{ width: '100%', height }} data-testid={testId} />;
}
