// Container: the open recording (file, format, channels and groups), opening a file by path
// (the web host allows paths under its --root; errors are shown here) and the demo buttons.
import { useState } from 'react';
import { useRecording } from '../stores/recording';
import { useUi } from '../stores/ui';
import { ErrorBox } from '../components/ErrorBox';

/** "979 Response/R128, 16 Volume/V 1": the most frequent marker labels with their counts (the correction counts one of them). */
function eventSummary(events: { label: string }[], top: number): string {
  const by = new Map<string, number>();
  for (const e of events) by.set(e.label, (by.get(e.label) ?? 0) + 1);
  const list = [...by].sort((a, b) => b[1] - a[1]);
  return list.slice(0, top).map(([l, n]) => `${n} ${l}`).join(', ') + (list.length > top ? ', …' : '');
}

export function RecordingPanel() {
  const { meta, loading, error, open, openDemo } = useRecording();
  const status = useUi((s) => s.status);
  const [path, setPath] = useState('');
  const groups = new Map<string, number>();
  for (const c of meta?.channels ?? []) groups.set(c.group, (groups.get(c.group) ?? 0) + 1);
  const stim = meta?.channels.filter((c) => c.kind === 'stim').length ?? 0;
  return (
    <section className="panel side-panel" aria-label="Recording">
      <h2>Recording</h2>
      <div className="row">
        <button onClick={() => void openDemo('spikes')} disabled={loading} data-testid="demo-spikes">Spike demo</button>
        <button onClick={() => void openDemo('eeg')} disabled={loading} data-testid="demo-eeg">EEG-fMRI demo</button>
      </div>
      <form className="row" onSubmit={(e) => { e.preventDefault(); if (path.trim()) void open(path.trim()); }}>
        <input className="grow" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/recording (.oebin, .vhdr, .edf, .nwb, .dat…)" aria-label="recording path" data-testid="open-path" />
        <button type="submit" disabled={loading || !path.trim()} data-testid="open-button">Open</button>
      </form>
      {loading && (
        <div className="status" data-testid="status">
          {status?.message || 'Opening…'}
          {status?.fraction !== null && status?.fraction !== undefined && <progress max={1} value={status.fraction} />}
        </div>
      )}
      {error && <ErrorBox error={error} testId="open-error" />}
      {meta ? (
        <>
          <dl className="facts" data-testid="recording-facts">
            <dt>File</dt><dd title={meta.path}>{meta.path.split(/[\\/]/).slice(-2).join('/')}</dd>
            <dt>Data</dt><dd title={`${meta.format}, ${meta.sampleRate} Hz`}>{meta.channels.length} ch{stim ? ` (${stim} stim)` : ''} · {meta.sampleRate >= 1000 ? `${meta.sampleRate / 1000} kHz` : `${meta.sampleRate} Hz`} · {(meta.nSamples / meta.sampleRate).toFixed(1)} s · {meta.format}</dd>
            <dt>Groups</dt><dd>{[...groups.entries()].map(([g, n]) => `${g} (${n})`).join(', ') || '—'}</dd>
            <dt>Events</dt><dd title={eventSummary(meta.events, 20)} data-testid="recording-events">{meta.events.length}{meta.events.length ? ` · ${eventSummary(meta.events, 2)}` : ''}</dd>
          </dl>
          {/* What the reader chose or changed (an NWB series, NaN/Inf read as 0): the CLI prints these as notes too. */}
          {!!meta.notes?.length && (
            <ul className="muted small notes" data-testid="recording-notes">
              {meta.notes.map((n) => <li key={n}>{n}</li>)}
            </ul>
          )}
        </>
      ) : !loading && <p className="empty">No recording open. Try a demo, or type a path.</p>}
    </section>
  );
}
