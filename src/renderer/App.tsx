// Layout: recording bar on top, traces, run panel.
import { useEffect } from 'react';
import { useRecording } from './stores/recording';
import { subscribeRunEvents } from './stores/run';
import { TracesView } from './views/TracesView';
import { RunPanel } from './views/RunPanel';

export function App() {
  const { meta, loading, error, open, openDemo } = useRecording();
  useEffect(() => {
    void subscribeRunEvents();
    if (!useRecording.getState().meta) void open(); // no file: the embedded demo
  }, [open]);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">SpikeDesk</span>
        <button onClick={() => void openDemo('spikes')}>Spike demo</button>
        <button onClick={() => void openDemo('eeg')}>EEG-fMRI demo</button>
        <span className="muted" data-testid="recording-title">
          {loading ? 'Opening…' : meta ? `${meta.path.split(/[\\/]/).pop()} · ${meta.format} · ${meta.channels.length} ch · ${meta.sampleRate} Hz` : 'No recording'}
        </span>
      </header>
      {error && <div className="error-banner" role="alert"><strong>{error.code ?? 'Error'}:</strong> {error.message}{error.fix ? <> — <em>{error.fix}</em></> : null}</div>}
      <main className="content">
        <RunPanel />
        <TracesView />
      </main>
    </div>
  );
}
