// Container: the correction result for one channel: raw vs corrected overlay with the trigger marks,
// the average artifact epoch before and after, the power spectrum before and after with the slice
// frequency's harmonics marked, the metrics table, and the trigger report (what completion added or
// removed; a click shows that place in the overlay, added triggers marked green, removed ones purple).
import { useEffect, useState } from 'react';
import type { CorrectionView as CV, TraceBlock } from '../../shared/api';
import { backend, errorText, type ErrorText } from '../api/client';
import { useRecording } from '../stores/recording';
import { useRun } from '../stores/run';
import { useKept } from '../stores/kept';
import { MiniPlot } from '../components/MiniPlot';
import { ErrorBox } from '../components/ErrorBox';
import { hiddenCount, overlayWindow, reportHeadline, reportRows, rowsIn, type ReportKind } from '../lib/trigger-report';

const RAW = '#8a94a6';
const COR = '#e0702a';
const MARK: Record<ReportKind, string> = { added: '#1e9e5a', removed: '#8e44ad', unresolved: '#b7950b' };

/**
 * "980 triggers (979 found + 1 added)": the count the correction used, and how it relates to the
 * markers the recording holds (the recording panel's event count), so the two numbers agree.
 */
function triggerCount(v: CV): string {
  const r = v.triggerReport;
  if (!r) return `${v.triggers.length} triggers`;
  const parts = [`${r.found} found`];
  if (r.addedCount) parts.push(`+ ${r.addedCount} added`);
  if (r.removedCount) parts.push(`− ${r.removedCount} spurious`);
  const other = v.triggers.length - (r.found + r.addedCount - r.removedCount);
  if (other) parts.push(other > 0 ? `+ ${other} more` : `− ${-other} not used`);
  return `${v.triggers.length} triggers (${parts.join(' ')})`;
}

function mid(b: TraceBlock, c: number): Float32Array {
  return Float32Array.from(b.min[c], (v, i) => (v + b.max[c][i]) / 2);
}

export function CorrectionView() {
  const meta = useRecording((s) => s.meta);
  const finished = useRun((s) => s.finished.correct);
  const [channel, setChannel] = useKept(`correction.channel:${meta?.path ?? ''}`, 0);
  const [view, setView] = useState<CV | null>(null);
  const [traces, setTraces] = useState<{ raw: TraceBlock; cor: TraceBlock } | null>(null);
  const [error, setError] = useState<ErrorText | null>(null);
  const [loading, setLoading] = useState(false);
  /** Sample the overlay is centred on (a reported trigger the user clicked), or null for the default place. */
  const [focus, setFocus] = useState<number | null>(null);
  const eeg = meta?.channels.map((c, i) => ({ c, i })).filter((x) => x.c.kind === 'ephys') ?? [];
  useEffect(() => {
    if (!meta) return;
    let stale = false;
    setLoading(true);
    void backend().then(async ({ api }) => {
      try {
        const v = await api.getCorrectionView(channel);
        if (stale) return;
        setView(v);
        setError(null);
        if (v) {
          const w = overlayWindow(v.triggers, v.epochLength, v.sampleRate, focus);
          const req = { channels: [channel], startS: w.startS, endS: w.endS, pixels: 900 };
          const [raw, cor] = await Promise.all([api.getTraces({ ...req, view: 'raw' }), api.getTraces({ ...req, view: 'corrected' })]);
          if (!stale) setTraces({ raw, cor });
        } else setTraces(null);
      } catch (e) {
        if (!stale) setError(errorText(e));
      } finally {
        if (!stale) setLoading(false);
      }
    });
    return () => { stale = true; };
  }, [meta, channel, finished, focus]);

  if (!meta) return <div className="panel empty fill">Open the EEG-fMRI demo (or a recording with scanner triggers) to correct it.</div>;
  const head = (
    <div className="toolbar">
      <strong>Correction</strong>
      <select value={channel} onChange={(e) => setChannel(Number(e.target.value))} aria-label="correction channel" data-testid="correction-channel">
        {eeg.map(({ c, i }) => <option key={i} value={i}>{c.name}</option>)}
      </select>
      {view && <span className="muted" data-testid="correction-triggers">{triggerCount(view)} · {view.triggerSource} · slice {view.sliceHz.toFixed(2)} Hz · epoch {(view.epochLength / view.sampleRate * 1000).toFixed(1)} ms</span>}
      {loading && <span className="muted">loading…</span>}
    </div>
  );
  if (error) return <div className="panel fill">{head}<ErrorBox error={error} testId="correction-error" /></div>;
  if (!view) return <div className="panel fill">{head}<p className="empty" data-testid="correction-empty">{loading ? 'Loading…' : 'No correction yet: choose Parameters → Artifact correction and press Run correction.'}</p></div>;
  const fs = view.sampleRate;
  const tEp = Float32Array.from({ length: view.epochLength }, (_, i) => (i / fs) * 1000);
  const trigInWindow = traces ? Array.from(view.triggers).map((s) => s / fs).filter((t) => t >= traces.raw.t0 && t <= traces.raw.t0 + traces.raw.dt * traces.raw.min[0].length) : [];
  const tx = traces ? Float32Array.from(traces.raw.min[0], (_, i) => traces.raw.t0 + (i + 0.5) * traces.raw.dt) : new Float32Array(0);
  const report = view.triggerReport;
  const rows = report ? reportRows(report, fs) : [];
  const shownRows = traces ? rowsIn(rows, traces.raw.t0, traces.raw.t0 + traces.raw.dt * traces.raw.min[0].length) : [];
  return (
    <div className="panel fill correction" data-testid="correction-view">
      {head}
      <div className="corr-grid">
        <MiniPlot testId="plot-overlay" title={`${view.channelName}: raw (grey) vs corrected (orange), triggers dashed`} height={210} xLabel="time (s)" yLabel="µV"
          series={traces ? [{ x: tx, y: mid(traces.raw, 0), color: RAW, width: 1, name: 'raw' }, { x: tx, y: mid(traces.cor, 0), color: COR, width: 1.3, name: 'corrected' }] : []}
          vlines={[
            ...trigInWindow.map((t) => ({ x: t, color: '#c0392b', dash: true })),
            ...shownRows.map((r) => ({ x: r.timeS, color: MARK[r.kind], dash: r.kind !== 'added', label: r.kind })),
          ]} />
        <MiniPlot testId="plot-template" title="Average artifact epoch: before (grey) / after (orange)" height={210} xLabel="time in epoch (ms)" yLabel="µV"
          series={[{ x: tEp, y: view.templateBefore, color: RAW, width: 1.4, name: 'before' }, { x: tEp, y: view.templateAfter, color: COR, width: 1.6, name: 'after' }]} />
        <MiniPlot testId="plot-psd" title="Power spectrum before (grey) / after (orange), slice harmonics dashed" height={230} xLabel="frequency (Hz)" yLabel="dB µV²/Hz"
          series={[{ x: view.freqs, y: view.psdBefore, color: RAW, width: 1.2, name: 'before' }, { x: view.freqs, y: view.psdAfter, color: COR, width: 1.4, name: 'after' }]}
          vlines={view.harmonicsHz.map((f, i) => ({ x: f, color: '#c0392b', dash: true, label: i === 0 ? 'slice' : undefined }))} />
        {report && (
          <div className="metrics-box" data-testid="trigger-report">
            <p data-testid="trigger-report-headline"><strong>{reportHeadline(report)}</strong></p>
            {rows.length > 0 && (
              <ul className="trigger-report-list">
                {rows.map((r) => (
                  <li key={`${r.kind}-${r.sample}`} data-testid="trigger-report-row" data-kind={r.kind}>
                    <button type="button" className="link" style={{ color: MARK[r.kind] }} onClick={() => setFocus(r.sample)} title="show this place in the overlay">{r.text}</button>
                  </li>
                ))}
              </ul>
            )}
            {hiddenCount(report) > 0 && <p className="muted">{hiddenCount(report)} more not listed: check the trigger settings.</p>}
            {report.warnings.map((w) => <p key={w} className="muted">{w}</p>)}
            {focus !== null && <button type="button" onClick={() => setFocus(null)} data-testid="trigger-report-reset">back to the first epochs</button>}
          </div>
        )}
        {view.model && (
          <div className="metrics-box" data-testid="correction-model">
            <p><strong>Template model: {view.model.template}</strong></p>
            <details className="small">
              <summary title="each candidate's held-out prediction error, relative to the best (1 = best)">held-out error of the {view.model.candidates.split('; ').length} candidates tried</summary>
              <p className="muted" data-testid="correction-model-candidates">held-out error of the candidates: {view.model.candidates}</p>
            </details>
            {view.model.crossChannel && <p className="small" data-testid="correction-model-cross">cross-channel: {view.model.crossChannel}</p>}
            {view.model.lowBand && <p className="small" data-testid="correction-model-lowband">low band across channels: {view.model.lowBand}</p>}
            {view.model.timing && <p className="small">slice timing model: {view.model.timing}</p>}
          </div>
        )}
        <div className="metrics-box">
          <table className="metrics-table" data-testid="correction-metrics">
            <thead><tr><th>metric (what it means)</th><th>value</th></tr></thead>
            <tbody>
              {view.metrics.map((m) => (
                <tr key={m.name}>
                  <td>{m.name}{m.note && <div className="muted small" data-testid="metric-note">{m.note}</div>}</td>
                  <td className="num">{typeof m.value === 'number' ? (Math.abs(m.value) >= 100 ? m.value.toFixed(0) : m.value.toFixed(3)) : m.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
