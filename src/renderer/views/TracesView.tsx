// Container: fetches decimated traces for the visible window and hands them to TracePlot.
import { useEffect, useRef, useState } from 'react';
import type { TraceBlock } from '../../shared/api';
import { backend, errorText } from '../api/client';
import { useRecording } from '../stores/recording';
import { TracePlot } from '../components/TracePlot';

export function TracesView() {
  const { meta, startS, spanS, view, setWindow, setView } = useRecording();
  const [block, setBlock] = useState<TraceBlock | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const nCh = meta?.channels.length ?? 0;

  useEffect(() => {
    if (!meta) return;
    let stale = false;
    const pixels = Math.max(200, Math.round(box.current?.clientWidth ?? 1000));
    void backend().then(({ api }) =>
      api.getTraces({ channels: meta.channels.map((_, i) => i), startS, endS: startS + spanS, pixels, view })
        .then((b) => { if (!stale) { setBlock(b); setError(null); } })
        .catch((e) => { if (!stale) setError(errorText(e).message); }));
    return () => { stale = true; };
  }, [meta, startS, spanS, view]);

  if (!meta) return <div className="panel empty">Open a recording to see its traces.</div>;
  const spacing = meta.format === 'brainvision' || meta.format === 'edf' ? 400 : 200;
  return (
    <div className="panel traces" ref={box}>
      <div className="toolbar">
        <strong>Traces</strong>
        <button onClick={() => setWindow(startS - spanS / 2, spanS)} title="Pan left (←)">◀</button>
        <button onClick={() => setWindow(startS + spanS / 2, spanS)} title="Pan right (→)">▶</button>
        <button onClick={() => setWindow(startS, spanS / 2)} title="Zoom in (+)">+</button>
        <button onClick={() => setWindow(startS, spanS * 2)} title="Zoom out (-)">-</button>
        <select value={view} onChange={(e) => setView(e.target.value as typeof view)} aria-label="Trace data">
          <option value="raw">raw</option>
          <option value="filtered">filtered</option>
          <option value="corrected">corrected</option>
        </select>
        <span className="muted">{startS.toFixed(2)}–{(startS + spanS).toFixed(2)} s of {(meta.nSamples / meta.sampleRate).toFixed(1)} s · {nCh} channels</span>
      </div>
      {error && <div className="error-inline" role="alert">{error}</div>}
      {block && <TracePlot names={meta.channels.map((c) => c.name)} min={block.min} max={block.max} t0={block.t0} dt={block.dt} spacingUv={spacing} height={Math.max(300, nCh * 18)} />}
    </div>
  );
}
