// Pure trace plot: stacked channels drawn from min/max columns on a canvas (fast for 32 channels).
import { useEffect, useRef } from 'react';

export interface TracePlotProps {
  names: string[];
  min: Float32Array[];
  max: Float32Array[];
  t0: number;
  dt: number;
  /** Vertical spacing between channels in uV. */
  spacingUv: number;
  height: number;
  color?: string;
}

export function TracePlot({ names, min, max, t0, dt, spacingUv, height, color }: TracePlotProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(height * dpr);
    const g = canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, height);
    const style = getComputedStyle(canvas);
    const fg = color ?? style.getPropertyValue('--trace').trim() ?? '#246';
    const muted = style.getPropertyValue('--muted').trim() || '#888';
    const left = 56;
    const plotW = w - left - 8;
    const n = names.length;
    const rowH = (height - 24) / Math.max(1, n);
    const pxPerUv = rowH / spacingUv;
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (let c = 0; c < n; c++) {
      const y0 = 8 + rowH * (c + 0.5);
      g.fillStyle = muted;
      g.fillText(names[c], 4, y0);
      const lo = min[c];
      const hi = max[c];
      const cols = lo.length;
      if (!cols) continue;
      g.strokeStyle = fg;
      g.lineWidth = 1;
      g.beginPath();
      for (let i = 0; i < cols; i++) {
        const x = left + (i / Math.max(1, cols - 1)) * plotW;
        g.moveTo(x, y0 - hi[i] * pxPerUv);
        g.lineTo(x, y0 - lo[i] * pxPerUv + 0.5);
      }
      if (cols < plotW) { // sparse: join the dots
        for (let i = 0; i < cols; i++) {
          const x = left + (i / Math.max(1, cols - 1)) * plotW;
          const y = y0 - hi[i] * pxPerUv;
          if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
        }
      }
      g.stroke();
    }
    // time axis
    const cols = min[0]?.length ?? 0;
    const span = cols * dt;
    g.fillStyle = muted;
    g.textBaseline = 'alphabetic';
    for (let k = 0; k <= 4; k++) {
      const x = left + (k / 4) * plotW;
      g.fillText(`${(t0 + (k / 4) * span).toFixed(3)} s`, Math.min(x, w - 60), height - 4);
    }
  }, [names, min, max, t0, dt, spacingUv, height, color]);
  return <canvas ref={ref} className="trace-canvas" style={{ width: '100%', height }} data-testid="trace-canvas" />;
}
