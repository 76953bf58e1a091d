// The raw-binary open dialog: a .dat/.bin has no header, so the user gives the channel count,
// rate, sample type, gain and header offset, helped by guesses from the file size and a live
// preview of the first traces. The backend remembers the format per file (sidecar), so the next
// open of the same file needs no dialog.
import { useEffect, useRef, useState } from 'react';
import type { RawFormat, RawPreview } from '../../shared/api';
import { backend, errorText, type ErrorText } from '../api/client';
import { useRecording } from '../stores/recording';
import { prepareCanvas } from '../lib/canvas';
import { ErrorBox } from '../components/ErrorBox';

const BYTES: Record<RawFormat['dtype'], number> = { int16: 2, uint16: 2, float32: 4 };

function Preview({ preview }: { preview: RawPreview }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const H = 180;
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const { g, w, cssVar } = prepareCanvas(c, H);
    const rows = preview.data.length, L = 40;
    const rowH = H / rows;
    g.font = '10px system-ui, sans-serif';
    preview.data.forEach((y, r) => {
      let lo = Infinity, hi = -Infinity;
      for (const v of y) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const span = hi - lo || 1, mid = r * rowH + rowH / 2;
      g.fillStyle = cssVar('--muted', '#888');
      g.fillText(`ch${r}`, 2, mid + 3);
      g.strokeStyle = cssVar('--fg', '#223');
      g.lineWidth = 0.8;
      g.beginPath();
      for (let i = 0; i < y.length; i++) {
        const X = L + ((w - L) * i) / Math.max(1, y.length - 1), Y = mid - ((y[i] - (lo + hi) / 2) / span) * rowH * 0.9;
        if (i) g.lineTo(X, Y); else g.moveTo(X, Y);
      }
      g.stroke();
    });
  }, [preview]);
  return <canvas ref={ref} style={{ width: '100%', height: H }} data-testid="raw-preview" aria-label="preview of the first traces" />;
}

export function RawFormatDialog() {
  const { raw, openRaw, closeRaw } = useRecording();
  const [f, setF] = useState<RawFormat | null>(null);
  const [preview, setPreview] = useState<RawPreview | null>(null);
  const [error, setError] = useState<ErrorText | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!raw) { setF(null); return; }
    const g = raw.remembered ?? raw.guesses[0];
    setF(g ? { channels: g.channels, rate: g.rate, dtype: g.dtype, gain: g.gain, offset: g.offset } : { channels: 1, rate: 30000, dtype: 'int16', gain: 1, offset: 0 });
  }, [raw]);
  // Live preview: re-read the first traces 200 ms after the last change.
  useEffect(() => {
    if (!raw || !f) return;
    const t = setTimeout(() => {
      void backend().then(({ api }) => api.previewRaw(raw.path, f, Math.round(f.rate * 0.1))).then(
        (p) => { setPreview(p); setError(null); },
        (e) => { setPreview(null); setError(errorText(e)); });
    }, 200);
    return () => clearTimeout(t);
  }, [raw, f]);
  if (!raw || !f) return null;
  const frame = f.channels * BYTES[f.dtype];
  const data = raw.sizeBytes - f.offset;
  const rest = frame > 0 ? data % frame : 0;
  const dur = frame > 0 && f.rate > 0 ? Math.floor(data / frame) / f.rate : 0;
  const num = (k: keyof RawFormat, label: string, unit: string, step = 'any') => (
    <label className="field">
      <span>{label}</span>
      <input type="number" step={step} value={Number.isFinite(f[k] as number) ? (f[k] as number) : ''} data-testid={`raw-${k}`}
        onChange={(e) => setF({ ...f, [k]: Number(e.target.value) })} style={{ width: 90 }} />
      <span className="muted small">{unit}</span>
    </label>
  );
  const submit = async () => {
    setBusy(true);
    try { await openRaw(raw.path, f); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Raw binary format">
      <form className="dialog panel" data-testid="raw-dialog" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <h2>Open raw binary · {raw.path.split(/[\\/]/).pop()}</h2>
        <p className="muted small">This file has no header. Say how its samples are laid out (interleaved channels); the choice is remembered for this file.
          {' '}{(raw.sizeBytes / 1048576).toFixed(1)} MB.</p>
        {raw.guesses.length > 0 && (
          <div className="row wrap" data-testid="raw-guesses">
            <span className="muted small">From the file size:</span>
            {raw.guesses.map((g, i) => (
              <button type="button" key={i} className={g.channels === f.channels && g.dtype === f.dtype ? 'on' : ''} data-testid="raw-guess"
                onClick={() => setF({ ...f, channels: g.channels, dtype: g.dtype })}>{g.channels} ch · {g.dtype} · {g.durationS.toFixed(1)} s</button>
            ))}
          </div>
        )}
        <div className="row wrap">
          {num('channels', 'channels', '', '1')}
          {num('rate', 'rate', 'Hz')}
          <label className="field"><span>type</span>
            <select value={f.dtype} onChange={(e) => setF({ ...f, dtype: e.target.value as RawFormat['dtype'] })} data-testid="raw-dtype">
              <option value="int16">int16</option><option value="uint16">uint16</option><option value="float32">float32</option>
            </select>
          </label>
          {num('gain', 'gain', 'µV/bit')}
          {num('offset', 'offset', 'bytes', '1')}
        </div>
        <div className="muted small" data-testid="raw-summary">
          {frame > 0 && f.rate > 0 ? `${Math.floor(data / frame).toLocaleString()} samples per channel · ${dur.toFixed(2)} s` : ''}
          {rest ? ` · the last ${rest} bytes do not fill a frame: check channels and type` : ''}
        </div>
        {preview && <Preview preview={preview} />}
        {preview && <div className="muted small">first {(preview.nSamples / preview.sampleRate * 1000).toFixed(0)} ms of {Math.min(16, preview.channels)} of {preview.channels} channels</div>}
        {error && <ErrorBox error={error} testId="raw-error" />}
        <div className="row end">
          <button type="button" onClick={closeRaw} data-testid="raw-cancel">Cancel</button>
          <button type="submit" className="primary" disabled={busy} data-testid="raw-open">{busy ? 'Opening…' : 'Open'}</button>
        </div>
      </form>
    </div>
  );
}
