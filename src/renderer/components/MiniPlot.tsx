// Pure small plot used by the unit and correction views (plotly): lines, bars, dots, shaded bands
// and vertical marker lines, with a title, axis titles with units, ticks, hover values, zoom
// (drag; double-click resets) and an optional logarithmic y axis. Knows nothing about stores or IPC.
import { useEffect, useState } from 'react';
import { hasWebGL, plotly, usePlotRef } from '../lib/plotly';

export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  kind?: 'line' | 'bar' | 'dots';
  width?: number;
  /** Below 0.5, a line is background (single waveforms): drawn as one trace without hover. */
  alpha?: number;
  /** Name shown on hover. */
  name?: string;
  /** A dashed line (a second unit drawn over the first). */
  dash?: boolean;
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
  /** Fix the y range's start (e.g. 0 for counts). */
  yMin?: number;
  /** Offer a log y axis switch (counts spanning decades: ISI, correlograms). */
  logToggle?: boolean;
  testId?: string;
  empty?: string;
}

/** Above this many points, dots are drawn with WebGL where the browser has it. */
const GL_POINTS = 3000;

const arr = (v: ArrayLike<number>): (number | null)[] => Array.from(v, (x) => (Number.isFinite(x) ? x : null));

function rgba(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Plotly traces for the series and bands; background lines are joined into one trace. */
export function traces(series: Series[], bands: Band[], gl: boolean): unknown[] {
  const out: unknown[] = [];
  for (const b of bands) {
    out.push({ type: 'scatter', mode: 'lines', x: arr(b.x), y: arr(b.lo), line: { width: 0, color: b.color }, hoverinfo: 'skip', showlegend: false });
    out.push({ type: 'scatter', mode: 'lines', x: arr(b.x), y: arr(b.hi), line: { width: 0, color: b.color }, fill: 'tonexty', fillcolor: rgba(b.color, b.alpha ?? 0.25), hoverinfo: 'skip', showlegend: false });
  }
  const background = series.filter((s) => (s.kind ?? 'line') === 'line' && (s.alpha ?? 1) < 0.5);
  if (background.length) {
    const x: (number | null)[] = [], y: (number | null)[] = [];
    for (const s of background) { x.push(...arr(s.x), null); y.push(...arr(s.y), null); }
    const s0 = background[0];
    out.push({ type: 'scatter', mode: 'lines', x, y, line: { width: s0.width ?? 0.8, color: rgba(s0.color, s0.alpha ?? 0.2) }, hoverinfo: 'skip', connectgaps: false });
  }
  for (const s of series) {
    if (background.includes(s)) continue;
    const kind = s.kind ?? 'line';
    const base = { x: arr(s.x), y: arr(s.y), name: s.name ?? '', hovertemplate: '%{x:.4g}, %{y:.4g}<extra>%{fullData.name}</extra>' };
    if (kind === 'bar') out.push({ ...base, type: 'bar', marker: { color: rgba(s.color, s.alpha ?? 1) } });
    else if (kind === 'dots') out.push({ ...base, type: gl && s.x.length > GL_POINTS ? 'scattergl' : 'scatter', mode: 'markers', marker: { size: 3, color: rgba(s.color, s.alpha ?? 1) } });
    else out.push({ ...base, type: 'scatter', mode: 'lines', line: { width: s.width ?? 1.2, color: rgba(s.color, s.alpha ?? 1), ...(s.dash ? { dash: 'dash' } : {}) }, connectgaps: false });
  }
  return out;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function MiniPlot({ title, series, bands = [], vlines = [], xLabel, yLabel, height = 150, yMin, logToggle, testId, empty }: MiniPlotProps) {
  const { ref, setRef } = usePlotRef<HTMLDivElement>();
  const [logY, setLogY] = useState(false);
  const hasData = series.some((s) => s.x.length > 0);
  useEffect(() => {
    const el = ref.current;
    if (!el || !hasData) return;
    let gone = false;
    void plotly().then(async (P) => {
      if (gone) return;
      const fg = cssVar('--fg', '#222'), muted = cssVar('--muted', '#888'), grid = cssVar('--border', '#ddd');
      const axis = { color: muted, gridcolor: grid, zerolinecolor: grid, tickfont: { size: 10 }, automargin: true };
      const layout = {
        height, margin: { l: 48, r: 8, t: 22, b: xLabel ? 34 : 20 }, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
        font: { size: 11, color: fg }, showlegend: false, bargap: 0.05, hovermode: 'closest',
        title: { text: title, font: { size: 11 }, x: 0, xanchor: 'left', xref: 'paper', y: 1, yanchor: 'top', yref: 'container', pad: { t: 4 } },
        xaxis: { ...axis, title: { text: xLabel ?? '', font: { size: 10 }, standoff: 4 } },
        yaxis: {
          ...axis, title: { text: yLabel ?? (yMin === 0 ? 'count' : ''), font: { size: 10 }, standoff: 4 },
          // Few labels on a plot this short: a log axis labels only 1, 2 and 5 of each decade (by default
          // it labelled every digit over a small range, and the labels overlapped).
          type: logY ? 'log' : 'linear', nticks: 5, ...(logY ? { dtick: 'D2' } : {}), ...(yMin === 0 && !logY ? { rangemode: 'tozero' } : {}),
        },
        shapes: vlines.map((v) => ({ type: 'line', xref: 'x', yref: 'paper', x0: v.x, x1: v.x, y0: 0, y1: 1, line: { color: v.color, width: 1, dash: v.dash ? 'dash' : 'solid' } })),
        annotations: vlines.filter((v) => v.label).map((v) => ({ x: v.x, xref: 'x', y: 1, yref: 'paper', yanchor: 'top', xanchor: 'left', text: v.label, showarrow: false, font: { size: 9, color: v.color } })),
      };
      await P.react(el, traces(series, bands, hasWebGL()), layout, {
        displaylogo: false, responsive: true, displayModeBar: 'hover',
        modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d', 'toggleSpikelines', 'hoverCompareCartesian', 'hoverClosestCartesian'],
      });
    });
    return () => { gone = true; };
  }, [title, series, bands, vlines, xLabel, yLabel, height, yMin, hasData, logY]);
  if (!hasData) {
    return (
      <div className="mini-plot mini-plot-empty" style={{ height }} data-testid={testId}>
        <div className="mini-plot-title">{title}</div>
        <div className="muted small">{empty ?? 'no data'}</div>
      </div>
    );
  }
  return (
    <div className="mini-plot-wrap">
      {logToggle && (
        <label className="mini-plot-log small muted" title="logarithmic y axis">
          <input type="checkbox" checked={logY} onChange={(e) => setLogY(e.target.checked)} data-testid={testId ? `${testId}-log` : undefined} /> log
        </label>
      )}
      <div ref={setRef} className="mini-plot plot" style={{ height }} data-testid={testId} />
    </div>
  );
}
