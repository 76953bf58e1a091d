// Container: fetches decimated traces (the workers compute min/max per pixel) and spike/event marks
// for the visible window and hands them to TracePlot. Pan and zoom: buttons, arrow keys (see
// App's key handler), mouse wheel and drag.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SpikeMarks, TraceBlock } from '../../shared/api';
import { backend, errorText, type ErrorText } from '../api/client';
import { useRecording } from '../stores/recording';
import { clusterColor, useSort } from '../stores/sort';
import { useRun } from '../stores/run';
import { useUi } from '../stores/ui';
import { useParams } from '../stores/params';
import { TracePlot, type TraceOverlay } from '../components/TracePlot';
import { ErrorBox } from '../components/ErrorBox';
import { keyOf, SHORTCUTS } from '../lib/shortcuts';
import { useKept } from '../stores/kept';

/** Row spacing (uV) from the data: the median channel's 2nd-98th percentile column range, so rows rarely overlap. */
function autoSpacing(b: TraceBlock | null, fallback: number): number {
  if (!b) return fallback;
  const spans: number[] = [];
  for (let c = 0; c < b.min.length; c++) {
    const lo = b.min[c], hi = b.max[c];
    if (!lo.length) continue;
    const a = Float32Array.from(lo).sort(), z = Float32Array.from(hi).sort();
    spans.push(z[Math.floor(z.length * 0.98)] - a[Math.floor(a.length * 0.02)]);
  }
  if (!spans.length) return fallback;
  spans.sort((x, y) => x - y);
  const s = spans[spans.length >> 1];
  // Round to 1-2-5 steps so the scale reads well and does not jitter while panning.
  const p = 10 ** Math.floor(Math.log10(Math.max(s, 1e-3)));
  return ([1, 2, 5, 10].find((m) => m * p >= s) ?? 10) * p;
}

export function TracesView() {
  const cursorS = useUi((s) => s.cursorS);
  const setCursor = useUi((s) => s.setCursor);
  const { meta, startS, spanS, view, gain, setWindow, setView, setGain } = useRecording();
  const finished = useRun((s) => s.finished);
  const sortVersion = useSort((s) => s.version);
  const [block, setBlock] = useState<TraceBlock | null>(null);
  /** The raw traces drawn behind a filtered/corrected view ("raw behind"). */
  const [rawBlock, setRawBlock] = useState<TraceBlock | null>(null);
  /** Raw behind at its own scale (default: raw EEG in a scanner dwarfs the corrected one) or at the view's. */
  const [rawScale, setRawScale] = useKept<'own' | 'same'>('traces.rawScale', 'own');
  const [marks, setMarks] = useState<SpikeMarks | null>(null);
  // Kept while other tabs are shown.
  const [showRaw, setShowRaw] = useKept('traces.showRaw', false);
  const [showSpikes, setShowSpikes] = useKept('traces.showSpikes', true);
  const [error, setError] = useState<ErrorText | null>(null);
  const [loading, setLoading] = useState(false);
  const [missing, setMissing] = useState(0);
  /** The chosen processed view has no result at all yet (nothing filtered / corrected). */
  const [noResult, setNoResult] = useState(false);
  const running = useRun((s) => s.progress?.state === 'running');
  // The spike switch only where there are spikes to mark: a recording with a sort result (not EEG).
  const sorted = useSort((s) => s.overview !== null);
  const box = useRef<HTMLDivElement>(null);
  const nCh = meta?.channels.length ?? 0;
  const channels = useMemo(() => meta?.channels.map((_, i) => i) ?? [], [meta]);

  useEffect(() => {
    if (!meta) return;
    let stale = false;
    const pixels = Math.max(200, Math.round((box.current?.clientWidth ?? 1000) - 72));
    setLoading(true);
    void backend().then(async ({ api }) => {
      try {
        const endS = startS + spanS;
        const [b, o, m] = await Promise.all([
          api.getTraces({ channels, startS, endS, pixels, view }),
          showRaw && view !== 'raw' ? api.getTraces({ channels, startS, endS, pixels, view: 'raw' }) : Promise.resolve(null),
          api.getSpikeMarks({ channels, startS, endS }),
        ]);
        if (stale) return;
        // The chosen view sets the scale; raw, when asked for, is drawn faintly behind it.
        setBlock(b);
        setRawBlock(o);
        setMarks(m);
        setMissing(b.missing?.length ?? 0);
        setNoResult(view !== 'raw' && (b.missing?.length ?? 0) >= channels.length);
        setError(null);
      } catch (e) {
        if (stale) return;
        const err = errorText(e);
        // No result of this view yet is a state, not an error: say so and offer the run that makes it.
        if (view !== 'raw' && err.code === 'NOT_FOUND') { setNoResult(true); setBlock(null); setError(null); return; }
        setError(err);
      } finally {
        if (!stale) setLoading(false);
      }
    });
    return () => { stale = true; };
  }, [meta, channels, startS, spanS, view, showRaw, finished, sortVersion]);

  const fallbackUv = meta && meta.sampleRate < 10000 ? 300 : 150;
  const spacing = autoSpacing(block, fallbackUv) / gain;
  const rawSpacing = rawScale === 'own' ? autoSpacing(rawBlock, fallbackUv) / gain : spacing;
  // Memoised: the plot redraws when this object changes.
  const behind = useMemo((): TraceOverlay | null => (showRaw && view !== 'raw' && rawBlock
    ? { min: rawBlock.min, max: rawBlock.max, color: '#8a94a6', label: 'raw', spacingUv: rawSpacing } : null), [showRaw, view, rawBlock, rawSpacing]);
  if (!meta) return <div className="panel empty fill">Open a recording (or a demo) to see its traces.</div>;
  const dur = meta.nSamples / meta.sampleRate;
  const hasSpikes = !!marks && marks.times.some((t) => t.length > 0);
  return (
    <div className="panel traces fill" ref={box}>
      <div className="toolbar">
        <strong>Traces</strong>
        <button onClick={() => setWindow(startS - spanS / 2, spanS)} title={`Pan left (${keyOf('pan', 0)} or drag)`} aria-label="pan left">◀</button>
        <button onClick={() => setWindow(startS + spanS / 2, spanS)} title={`Pan right (${keyOf('pan', 1)} or drag)`} aria-label="pan right">▶</button>
        <button onClick={() => setWindow(startS + spanS / 4, spanS / 2)} title={`Zoom in (${keyOf('zoom', 0)} or wheel)`} aria-label="zoom in">+</button>
        <button onClick={() => setWindow(startS - spanS / 2, spanS * 2)} title={`Zoom out (${keyOf('zoom', 1)} or wheel)`} aria-label="zoom out">−</button>
        <button onClick={() => setGain(gain * 1.5)} title={`More gain (${keyOf('gain', 0)})`}>gain ×1.5</button>
        <button onClick={() => setGain(gain / 1.5)} title={`Less gain (${keyOf('gain', 1)})`}>gain ÷1.5</button>
        <select value={view} onChange={(e) => setView(e.target.value as typeof view)} aria-label="Trace data">
          <option value="raw">raw</option>
          <option value="filtered">filtered</option>
          <option value="corrected">corrected</option>
        </select>
        <label title="Draw the raw signal faintly behind the filtered or corrected one"><input type="checkbox" checked={showRaw} onChange={(e) => setShowRaw(e.target.checked)} disabled={view === 'raw'} data-testid="raw-behind" /> raw behind</label>
        {showRaw && view !== 'raw' && (
          <select value={rawScale} onChange={(e) => setRawScale(e.target.value as 'own' | 'same')} aria-label="raw scale" data-testid="raw-scale"
            title="The raw signal can be far larger than the processed one: scale each to its rows, or draw raw at the processed scale (clipped to the row)">
            <option value="own">raw at its own scale</option>
            <option value="same">raw at the {view} scale</option>
          </select>
        )}
        {sorted && <label title="Mark the detected spikes of the last sort, coloured by unit"><input type="checkbox" checked={showSpikes} onChange={(e) => setShowSpikes(e.target.checked)} data-testid="show-spikes" /> spikes</label>}
        <span className="muted" data-testid="trace-window">{startS.toFixed(3)}–{(startS + spanS).toFixed(3)} s of {dur.toFixed(1)} s · {nCh} ch · {(spacing).toFixed(0)} µV/row{loading ? ' · loading…' : ''}</span>
      </div>
      {error && <ErrorBox error={error} />}
      {noResult && (
        <div className="empty-state" data-testid="no-result">
          <strong>No {view} traces yet</strong>
          {view === 'filtered'
            ? <span>The filtered view shows the band-pass output of a filter or sort run, and nothing has been filtered on this recording.</span>
            : <span>The corrected view shows the output of an artifact-correction run, and nothing has been corrected on this recording.</span>}
          <div className="row">
            {view === 'filtered'
              ? <button className="primary" disabled={running} data-testid="empty-filter-all"
                onClick={() => void useRun.getState().start({ workflow: 'filter', params: useParams.getState().sort.filter })}>Filter all channels</button>
              : <span className="muted">Choose Artifact correction under Parameters and press Run correction.</span>}
            <button onClick={() => setView('raw')} data-testid="empty-show-raw">Show raw</button>
          </div>
          {running && <span className="muted small">running… the traces appear when the run is done</span>}
        </div>
      )}
      {!block && !error && !noResult && <p className="empty">Loading traces…</p>}
      {block && !noResult && (
        <TracePlot
          names={meta.channels.map((c) => c.name)} min={block.min} max={block.max} t0={block.t0} dt={block.dt}
          startS={startS} spanS={spanS} spacingUv={spacing} height={Math.max(360, Math.min(nCh * 22, 680))}
          behind={behind} cursorS={cursorS} onCursor={setCursor} color={behind ? (view === 'corrected' ? '#e0702a' : '#2a9d5b') : undefined}
          emptyLabel={view === 'raw' ? 'no data' : `not in the last ${view === 'corrected' ? 'correction' : 'filter/sort'} run — include this channel and re-run`}
          spikes={showSpikes && hasSpikes ? { times: marks!.times, clusters: marks!.clusters, color: clusterColor } : null}
          thresholds={showSpikes && view === 'filtered' ? marks?.thresholdUv : null}
          events={marks?.events}
          onPan={(d) => { const s = useRecording.getState(); s.setWindow(s.startS + d, s.spanS); }}
          onZoom={(f, a) => { const s = useRecording.getState(); s.setWindow(a - (a - s.startS) * f, s.spanS * f); }}
        />
      )}
      {block && !noResult && (
        <div className="legend muted" data-testid="trace-legend">
          {showSpikes && hasSpikes ? 'dots: detected spikes coloured by unit · ' : ''}
          {view === 'filtered' && showSpikes && marks?.thresholdUv.some((t) => t !== null) ? 'dashed: detection threshold · ' : ''}
          {behind ? `${view} ${(spacing).toFixed(0)} µV/row, raw behind (grey) ${rawScale === 'own' ? `at ${rawSpacing.toFixed(0)} µV/row` : 'at the same scale, clipped'} · ` : ''}
          {missing ? `no ${view} result for ${missing} channels (not in the last run) · ` : ''}
          {marks?.events.length ? `${marks.events.length} trigger/event marks` : 'no triggers in view'}
          {' · '}wheel or {SHORTCUTS.zoom.keys}: zoom · drag or {SHORTCUTS.pan.keys}: pan
        </div>
      )}
    </div>
  );
}
