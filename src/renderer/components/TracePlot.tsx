// Pure trace plot: stacked channels drawn from min/max columns on a canvas (fast for 32 channels),
// with an optional trace drawn faintly behind (e.g. raw behind corrected) at its own vertical scale
// and clipped to each channel's row (raw EEG in a scanner is ~100x the corrected signal: one shared
// scale would draw the corrected trace flat), threshold lines, detected spikes coloured by unit and
// trigger/event marks. Wheel zooms about the pointer, dragging pans, a click sets the time cursor
// (shared with the time-frequency view).
import { prepareCanvas } from '../lib/canvas';
import { useEffect, useRef } from 'react';

/** A trace drawn behind the main one; `spacingUv` is its own row spacing (its scale). */
export interface TraceOverlay { min: Float32Array[]; max: Float32Array[]; color: string; label: string; spacingUv: number }

export interface TracePlotProps {
  names: string[];
  min: Float32Array[];
  max: Float32Array[];
  t0: number;
  dt: number;
  /** Visible window (s): marks are placed by time. */
  startS: number;
  spanS: number;
  /** Vertical spacing between channels in uV. */
  spacingUv: number;
  height: number;
  color?: string;
  /** Drawn faintly behind the main trace, at its own scale, clipped to each row. */
  behind?: TraceOverlay | null;
  spikes?: { times: Float64Array[]; clusters: Int32Array[]; color: (id: number) => string } | null;
  thresholds?: (number | null)[] | null;
  events?: { t: number; label: string }[];
  /** Pan by seconds and zoom by a factor around a time (s). */
  onPan?: (deltaS: number) => void;
  onZoom?: (factor: number, anchorS: number) => void;
  /** Text drawn in the row of a channel that has no samples in this view. */
  emptyLabel?: string;
  /** Time cursor (s) shared with the time-frequency view, drawn as a vertical line. */
  cursorS?: number | null;
  /** A click (a press without dragging) sets the time cursor there (s). */
  onCursor?: (s: number) => void;
}

const LEFT = 64;
const RIGHT = 8;

function drawColumns(g: CanvasRenderingContext2D, lo: Float32Array, hi: Float32Array, x0: number, colW: number, y0: number, pxPerUv: number): void {
  const cols = lo.length;
  g.beginPath();
  for (let i = 0; i < cols; i++) {
    const x = x0 + i * colW;
    g.moveTo(x, y0 - hi[i] * pxPerUv);
    g.lineTo(x, y0 - lo[i] * pxPerUv + 0.5);
  }
  if (colW > 1.5) { // sparse: join the dots
    for (let i = 0; i < cols; i++) {
      const x = x0 + i * colW;
      const y = y0 - (hi[i] + lo[i]) * 0.5 * pxPerUv;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    }
  }
  g.stroke();
}

export function TracePlot(p: TracePlotProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const seq = useRef(0);
  const { names, min, max, t0, dt, startS, spanS, spacingUv, height, color, behind, spikes, thresholds, events, emptyLabel, cursorS } = p;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const { g, w, cssVar } = prepareCanvas(canvas, height);
    const fg = color ?? cssVar('--trace', '#246');
    const muted = cssVar('--muted', '#888');
    const danger = cssVar('--danger', '#c00');
    const plotW = w - LEFT - RIGHT;
    const n = names.length;
    const rowH = (height - 24) / Math.max(1, n);
    const pxPerUv = rowH / spacingUv;
    const xOf = (t: number): number => LEFT + ((t - startS) / spanS) * plotW;
    const colX0 = xOf(t0 + dt / 2);
    const colW = (dt / spanS) * plotW;
    // events first (behind the traces)
    if (events?.length) {
      g.strokeStyle = danger;
      g.globalAlpha = 0.45;
      g.setLineDash([3, 3]);
      g.beginPath();
      for (const e of events) { const x = Math.round(xOf(e.t)) + 0.5; g.moveTo(x, 4); g.lineTo(x, height - 20); }
      g.stroke();
      g.setLineDash([]);
      g.globalAlpha = 1;
      if (events.length <= 12) {
        g.fillStyle = danger;
        g.font = '10px system-ui, sans-serif';
        for (const e of events) g.fillText(e.label.slice(0, 14), xOf(e.t) + 2, 12);
      }
    }
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    g.lineWidth = 1;
    for (let c = 0; c < n; c++) {
      const y0 = 8 + rowH * (c + 0.5);
      g.fillStyle = muted;
      g.fillText(names[c], 4, y0);
      const th = thresholds?.[c];
      if (th !== null && th !== undefined) {
        g.strokeStyle = danger;
        g.globalAlpha = 0.6;
        g.setLineDash([2, 4]);
        g.beginPath();
        g.moveTo(LEFT, y0 - th * pxPerUv);
        g.lineTo(w - RIGHT, y0 - th * pxPerUv);
        g.stroke();
        g.setLineDash([]);
        g.globalAlpha = 1;
      }
      if (!min[c]?.length) {
        // A channel without data in this view says so in its row instead of staying blank.
        g.fillStyle = muted;
        g.globalAlpha = 0.8;
        g.fillText(emptyLabel ?? 'no data', LEFT + 8, y0);
        g.globalAlpha = 1;
        continue;
      }
      if (behind?.min[c]?.length) {
        g.save();
        g.beginPath();
        g.rect(LEFT, y0 - rowH / 2, plotW, rowH);
        g.clip();
        g.strokeStyle = behind.color;
        g.globalAlpha = 0.5;
        drawColumns(g, behind.min[c], behind.max[c], colX0, colW, y0, rowH / behind.spacingUv);
        g.restore();
      }
      g.strokeStyle = fg;
      drawColumns(g, min[c], max[c], colX0, colW, y0, pxPerUv);
      const st = spikes?.times[c];
      if (st?.length) {
        const cl = spikes!.clusters[c];
        for (let k = 0; k < st.length; k++) {
          const x = xOf(st[k]);
          g.fillStyle = spikes!.color(cl[k]);
          g.beginPath();
          g.arc(x, y0 + rowH * 0.38, Math.min(3, Math.max(1.5, rowH * 0.12)), 0, Math.PI * 2);
          g.fill();
        }
      }
    }
    g.fillStyle = muted;
    g.textBaseline = 'alphabetic';
    for (let k = 0; k <= 4; k++) {
      const x = LEFT + (k / 4) * plotW;
      g.textAlign = k === 0 ? 'left' : k === 4 ? 'right' : 'center';
      g.fillText(`${(startS + (k / 4) * spanS).toFixed(3)} s`, x, height - 4);
    }
    g.textAlign = 'left';
    if (cursorS !== undefined && cursorS !== null && cursorS >= startS && cursorS <= startS + spanS) {
      g.strokeStyle = '#d33';
      g.beginPath();
      g.moveTo(xOf(cursorS), 0);
      g.lineTo(xOf(cursorS), height - 16);
      g.stroke();
    }

    seq.current++;
    canvas.dataset.seq = String(seq.current);
    canvas.dataset.start = startS.toFixed(6);
    canvas.dataset.cursor = cursorS === undefined || cursorS === null ? '' : cursorS.toFixed(6);
  }, [names, min, max, t0, dt, startS, spanS, spacingUv, height, color, behind, spikes, thresholds, events, emptyLabel, cursorS]);

  // Wheel zoom about the cursor and drag to pan (listeners attached natively: wheel must not be passive).
  const cb = useRef(p);
  cb.current = p;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const timeAt = (clientX: number): number => {
      const r = canvas.getBoundingClientRect();
      const f = (clientX - r.left - LEFT) / Math.max(1, r.width - LEFT - RIGHT);
      return cb.current.startS + Math.min(1, Math.max(0, f)) * cb.current.spanS;
    };
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) cb.current.onPan?.(((e.deltaX || e.deltaY) / 500) * cb.current.spanS);
      else cb.current.onZoom?.(e.deltaY > 0 ? 1.25 : 0.8, timeAt(e.clientX));
    };
    let drag: { x: number; moved: boolean } | null = null;
    const onDown = (e: PointerEvent): void => { drag = { x: e.clientX, moved: false }; canvas.setPointerCapture(e.pointerId); };
    const onMove = (e: PointerEvent): void => {
      if (!drag) return;
      const r = canvas.getBoundingClientRect();
      const dx = e.clientX - drag.x;
      if (Math.abs(dx) < 8) return;
      drag.x = e.clientX;
      drag.moved = true;
      cb.current.onPan?.((-dx / Math.max(1, r.width - LEFT - RIGHT)) * cb.current.spanS);
    };
    const onUp = (e: PointerEvent): void => {
      // A click that did not pan puts the time cursor there (inside the plot, not on the names).
      const r = canvas.getBoundingClientRect();
      if (drag && !drag.moved && e.clientX - r.left >= LEFT) cb.current.onCursor?.(timeAt(e.clientX));
      drag = null;
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    canvas.addEventListener('pointerdown', onDown);
    canvas.addEventListener('pointermove', onMove);
    canvas.addEventListener('pointerup', onUp);
    return () => {
      canvas.removeEventListener('wheel', onWheel);
      canvas.removeEventListener('pointerdown', onDown);
      canvas.removeEventListener('pointermove', onMove);
      canvas.removeEventListener('pointerup', onUp);
    };
  }, []);
  return <canvas ref={ref} className="trace-canvas" style={{ width: '100%', height }} data-testid="trace-canvas" />;
}
