// Pure spectrogram (plotly): a heatmap of power (frequency x time) with a colour bar in the power
// unit (or dB), a linear or logarithmic frequency axis, and below it, on the same time axis, the
// band-power trace. A click sets the time cursor (shared with the traces view).
import { useEffect, useRef } from 'react';
import { plotly, usePlotRef } from '../lib/plotly';

export interface SpectrogramProps {
  freqs: number[];
  times: ArrayLike<number>;
  /** freqs x times, row-major. */
  power: ArrayLike<number>;
  unit: string;
  db: boolean;
  logFreq: boolean;
  band: { name: string; times: ArrayLike<number>; values: ArrayLike<number>; unit: string } | null;
  cursorS: number | null;
  onCursor?: (s: number) => void;
  height: number;
  dark: boolean;
}

interface PlotEl extends HTMLDivElement {
  on?: (ev: string, cb: (e: { points?: { x: number }[] }) => void) => void;
  removeAllListeners?: (ev: string) => void;
}

export function Spectrogram({ freqs, times, power, unit, db, logFreq, band, cursorS, onCursor, height, dark }: SpectrogramProps) {
  const { ref, setRef } = usePlotRef<PlotEl>();
  const cb = useRef(onCursor);
  cb.current = onCursor;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let gone = false;
    void plotly().then(async (P) => {
      if (gone) return;
      const fg = dark ? '#e4e7ec' : '#1d2330';
      const nT = times.length;
      const z: number[][] = freqs.map((_, f) => Array.from({ length: nT }, (_, t) => {
        const v = power[f * nT + t];
        return db ? 10 * Math.log10(Math.max(v, 1e-30)) : v;
      }));
      const x = Array.from(times);
      const data: unknown[] = [{
        type: 'heatmap', x, y: freqs, z, colorscale: 'Viridis', yaxis: 'y', xaxis: 'x',
        colorbar: { title: { text: db ? `dB re 1 ${unit}` : unit, side: 'right' }, len: band ? 0.68 : 1, y: band ? 0.66 : 0.5, thickness: 12 },
        hovertemplate: `%{x:.3f} s, %{y} Hz: %{z:.3g} ${db ? 'dB' : unit}<extra></extra>`,
      }];
      if (band) data.push({ type: 'scatter', mode: 'lines', x: Array.from(band.times), y: Array.from(band.values), xaxis: 'x', yaxis: 'y2', name: band.name, line: { width: 1.2, color: '#e0702a' } });
      const shapes = cursorS === null ? [] : [{ type: 'line', xref: 'x', yref: 'paper', x0: cursorS, x1: cursorS, y0: 0, y1: 1, line: { color: '#d33', width: 1 } }];
      const layout = {
        height, margin: { l: 56, r: 10, t: 8, b: 36 }, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)', font: { size: 11, color: fg },
        showlegend: false, shapes,
        xaxis: { title: { text: 'time (s)' }, anchor: band ? 'y2' : 'y' },
        yaxis: { title: { text: 'frequency (Hz)' }, type: logFreq ? 'log' : 'linear', domain: band ? [0.34, 1] : [0, 1] },
        ...(band ? { yaxis2: { title: { text: `${band.name} (${band.unit})` }, domain: [0, 0.26] } } : {}),
      };
      await P.react(el, data, layout, { displaylogo: false, responsive: true });
      el.removeAllListeners?.('plotly_click');
      el.on?.('plotly_click', (e) => { const p = e.points?.[0]; if (p) cb.current?.(p.x); });
    });
    return () => { gone = true; };
  }, [freqs, times, power, unit, db, logFreq, band, cursorS, height, dark]);
  return <div ref={setRef} className="plot" data-testid="spectrogram" style={{ height }} />;
}
