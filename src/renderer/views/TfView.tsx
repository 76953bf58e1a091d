// Container: the time-frequency workflow. A small form (frequencies, cycles, decimation, band,
// region of interest), "Run spectrogram" on the run store's workers with one progress bar per
// worker under the form (as the run panel shows them), then the spectrogram of a channel or region
// with its band-power trace below and the time cursor shared with the traces view.
import { useEffect, useMemo, useState } from 'react';
import type { TfView as TfViewDto } from '../../shared/api';
import { TF_BANDS, formatBytes, tfOutputBytes } from '../../shared/params';
import { scannerMarkers } from '../../shared/recording';
import { backend, errorText, type ErrorText } from '../api/client';
import { useRecording } from '../stores/recording';
import { useRun } from '../stores/run';
import { useRunRequest, useUi } from '../stores/ui';
import { hint } from '../lib/shortcuts';
import { Spectrogram } from '../components/Spectrogram';
import { ErrorBox } from '../components/ErrorBox';
import { WorkerBars } from '../components/WorkerBars';
import { useMenu } from '../stores/menu';
import { useParams, useTfParams } from '../stores/params';
import { useKept } from '../stores/kept';

/** The toolbar's PNG/SVG buttons open File > Export Time-Frequency's image export (path, overwrite question, outcome). */
function saveImage(format: 'tf-png' | 'tf-svg'): void {
  void useMenu.getState().startExport({ what: 'tf', format });
}

type Target = { kind: 'channel'; channel: number } | { kind: 'roi'; name: string };

export function TfView() {
  const meta = useRecording((s) => s.meta);
  const finished = useRun((s) => s.finished.tf);
  const running = useRun((s) => s.runId !== null && s.progress?.state === 'running');
  const progress = useRun((s) => (s.workflow === 'tf' ? s.progress : null));
  const start = useRun((s) => s.start);
  const dark = useUi((s) => s.theme === 'dark');
  const cursorS = useUi((s) => s.cursorS);
  // The cursor is shared with the traces view: a time outside its window brings the window there.
  const setCursor = (s: number): void => {
    useUi.getState().setCursor(s);
    const r = useRecording.getState();
    if (s < r.startS || s > r.startS + r.spanS) r.setWindow(s - r.spanS / 2, r.spanS);
  };
  // The form lives in the params store: it stays as set while other tabs are shown.
  const form = useParams((s) => s.tfForm);
  const setForm = useParams((s) => s.setTfForm);
  // On the corrected signal (the Correction tab's parameters): on by default once a correction ran.
  const { params, error: formError, corrected } = useTfParams();
  const setCorrected = useParams((s) => s.setTfCorrected);
  // An EEG-fMRI recording: its spectrogram is the scanner's unless corrected (suggested, not forced).
  const scanner = useMemo(() => (meta ? scannerMarkers(meta.events) : null), [meta]);
  // Kept while other tabs are shown (the channel or region per recording).
  const [target, setTarget] = useKept<Target>(`tf.target:${meta?.path ?? ''}`, { kind: 'channel', channel: 0 });
  const [db, setDb] = useKept('tf.db', true);
  const [logFreq, setLogFreq] = useKept('tf.logFreq', false);
  const [view, setView] = useState<TfViewDto | null>(null);
  const [error, setError] = useState<ErrorText | null>(null);

  // The run shortcut (Ctrl+Enter) runs this form while the tab is shown.
  useRunRequest(() => { if (params && !running) void start({ workflow: 'tf', params }); });

  useEffect(() => {
    if (!meta) return;
    let stale = false;
    void backend().then(async ({ api }) => {
      try {
        const v = await api.getTfView({ target, maxTimes: 1200 });
        if (!stale) { setView(v); setError(null); }
      } catch (e) {
        if (!stale) setError(errorText(e));
      }
    });
    return () => { stale = true; };
  }, [meta, finished, target]);

  if (!meta) return <div className="panel empty fill">Open a recording to compute its spectrogram.</div>;
  const num = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: Number(e.target.value) });
  const band = view?.bands[0] ?? null;
  return (
    <div className="panel fill" data-testid="tf-view">
      <div className="toolbar">
        <strong>Time–frequency</strong>
        <label>Hz <input type="number" value={form.lo} min={0.5} step={0.5} onChange={num('lo')} style={{ width: 52 }} aria-label="lowest frequency" /></label>
        <label>to <input type="number" value={form.hi} min={1} step={1} onChange={num('hi')} style={{ width: 52 }} aria-label="highest frequency" /></label>
        <label>step <input type="number" value={form.step} min={0.1} step={0.5} onChange={num('step')} style={{ width: 48 }} aria-label="frequency step" /></label>
        <label>cycles <input type="number" value={form.cycles} min={1} step={1} onChange={num('cycles')} style={{ width: 44 }} aria-label="cycles" /></label>
        <label>band <select value={form.band} onChange={(e) => setForm({ ...form, band: e.target.value })} aria-label="band">
          {Object.keys(TF_BANDS).map((b) => <option key={b} value={b}>{b}</option>)}
        </select></label>
        <label>ROI <input value={form.roi} onChange={(e) => setForm({ ...form, roi: e.target.value })} style={{ width: 220 }} aria-label="region of interest" title="NAME=ch1,ch2,..." /></label>
        <label title="Analyse the channels after MRI gradient-artifact correction with the Correction tab's parameters (a finished correction is reused from the cache)">
          <input type="checkbox" checked={corrected} onChange={(e) => setCorrected(e.target.checked)} data-testid="tf-corrected" /> corrected
        </label>
        <button disabled={!params || running} onClick={() => params && void start({ workflow: 'tf', params })} data-testid="run-tf" title={hint('Run the spectrogram of this form', 'run')}>Run spectrogram</button>
      </div>
      <div className="toolbar">
        <select value={target.kind === 'channel' ? `c${target.channel}` : `r${target.name}`} data-testid="tf-target" aria-label="channel or region"
          onChange={(e) => { const v = e.target.value; setTarget(v.startsWith('c') ? { kind: 'channel', channel: Number(v.slice(1)) } : { kind: 'roi', name: v.slice(1) }); }}>
          {(view?.channels ?? meta.channels.map((c, index) => ({ index, name: c.name }))).map((c) => <option key={c.index} value={`c${c.index}`}>{c.name}</option>)}
          {(view?.rois ?? []).map((r) => <option key={r.name} value={`r${r.name}`}>ROI {r.name}</option>)}
        </select>
        <label><input type="checkbox" checked={db} onChange={(e) => setDb(e.target.checked)} data-testid="tf-db" /> dB</label>
        <label><input type="checkbox" checked={logFreq} onChange={(e) => setLogFreq(e.target.checked)} data-testid="tf-log" /> log frequency</label>
        <button className="link" disabled={!view} onClick={() => saveImage('tf-png')} data-testid="tf-png">PNG</button>
        <button className="link" disabled={!view} onClick={() => saveImage('tf-svg')} data-testid="tf-svg">SVG</button>
        {cursorS !== null && <span className="muted" data-testid="tf-cursor">cursor {cursorS.toFixed(3)} s</span>}
        {params && <span className="muted" data-testid="tf-size" title="The power of every channel at every frequency, kept in the session cache (and written by each export)">decim {params.decim} ({(meta.sampleRate / params.decim).toFixed(1)} Hz output) · power {formatBytes(tfOutputBytes(params, meta.channels.length, meta.nSamples))}</span>}
        {view && <span className="muted" data-testid="tf-signal">shown: {view.signal === 'corrected' ? 'corrected signal' : 'raw signal'}</span>}
      </div>
      {formError && <div className="error-inline" data-testid="tf-form-error">{formError}</div>}
      {scanner && !corrected && (
        <div className="muted small" data-testid="tf-scanner-hint">
          This recording has MRI scanner markers ({scanner.count} × {scanner.label}): tick “corrected” to analyse the EEG after gradient-artifact correction; the raw spectrogram shows the scanner’s harmonics.
        </div>
      )}
      {progress && (
        <div className="tf-progress" data-testid="tf-progress">
          <span className="muted small">
            spectrogram {progress.state} · {progress.channelsDone}/{progress.channelsTotal} channels
            {Number.isFinite(progress.etaS) && progress.state === 'running' ? ` · ETA ${progress.etaS.toFixed(1)} s` : ''}
          </span>
          <WorkerBars workers={progress.workers} rssScope={progress.rssScope} />
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {view
        ? <Spectrogram freqs={view.freqs} times={view.times} power={view.power} unit={view.unit} db={db} logFreq={logFreq} band={band} cursorS={cursorS} onCursor={setCursor} height={460} dark={dark} />
        : !error && <div className="empty">No time-frequency run yet: choose the frequencies and press “Run spectrogram”.</div>}
    </div>
  );
}
