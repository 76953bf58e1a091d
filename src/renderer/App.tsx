// Layout: a top bar; on the left the recording, parameters and run panels; on the right the
// results views in tabs (traces, sorting with units table / clusters / unit views, correction).
import { useEffect, useState } from 'react';
import { backend, errorText, type ErrorText } from './api/client';
import { ErrorBox } from './components/ErrorBox';
import { useRecording } from './stores/recording';
import { subscribeRunEvents, useRun } from './stores/run';
import { useParams } from './stores/params';
import { useSort } from './stores/sort';
import { applyTheme, useUi } from './stores/ui';
import { VIEWS } from '../shared/menu';
import { onKey } from './lib/keys';
import { hint, keyOf } from './lib/shortcuts';
import { RecordingPanel } from './views/RecordingPanel';
import { ParamsPanel } from './views/ParamsPanel';
import { RunPanel } from './views/RunPanel';
import { TracesView } from './views/TracesView';
import { ClusterView } from './views/ClusterView';
import { CurationBar, UnitsTable } from './views/UnitsTable';
import { UnitViews } from './views/UnitViews';
import { CorrectionView } from './views/CorrectionView';
import { TfView } from './views/TfView';
import { HelpOverlay } from './views/HelpOverlay';
import { MenuBar } from './views/MenuBar';
import { ExportDialog } from './views/ExportDialog';
import { subscribeMenu } from './stores/menu';
import { CarriedNotice, ReplaceSortDialog } from './views/ReplaceSortDialog';
import { RawFormatDialog } from './views/RawFormatDialog';
import { BatchPanel } from './views/BatchPanel';
import { VersionNotice, VersionsDialog } from './views/VersionsDialog';
import { SimilarUnits } from './views/SimilarUnits';
import { subscribeBatchEvents, useBatch } from './stores/batch';


function SortingTab() {
  return (
    <div className="sorting fill">
      <div className="sorting-top">
        <div className="panel">
          <CurationBar />
          <CarriedNotice />
          <VersionNotice />
          <UnitsTable height={212} />
          <SimilarUnits />
        </div>
        <ClusterView height={262} />
      </div>
      <div className="panel"><UnitViews plotH={122} /></div>
    </div>
  );
}

export function App() {
  const { meta, loading } = useRecording();
  const { tab, setTab, theme, setTheme, setHelp } = useUi();
  const [menuBar, setMenuBar] = useState(false);
  const [connError, setConnError] = useState<ErrorText | null>(null);
  const sortDone = useRun((s) => s.finished.sort);
  const corrDone = useRun((s) => s.finished.correct);
  useEffect(() => {
    applyTheme(useUi.getState().theme);
    // Without a connection these fail with the error shown by the banner below; nothing else to do.
    subscribeRunEvents().catch(() => undefined);
    subscribeMenu().catch(() => undefined);
    subscribeBatchEvents().then(() => useBatch.getState().refresh(), () => undefined);
    void backend().then((c) => {
      setMenuBar(c.kind === 'web');
      c.onLost((e) => setConnError(errorText(e)));
    }, (e: unknown) => setConnError(errorText(e)));
    if (!useRecording.getState().meta) void useRecording.getState().open(); // no file: the embedded demo
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // A new recording: adopt its last parameters and load its sort (with the journal replayed).
  useEffect(() => {
    if (!meta) return;
    useSort.setState({ overview: null, selected: [], channel: null, last: null, error: null });
    void backend().then(({ api }) => api.lastParams()).then((p) => useParams.getState().adopt(p), () => undefined);
    void useSort.getState().refresh();
    if (meta.format === 'brainvision' || meta.format === 'edf' || meta.format === 'bdf') useParams.getState().setWorkflow('correct');
    else useParams.getState().setWorkflow('sort');
  }, [meta]);
  useEffect(() => { if (sortDone) { void useSort.getState().refresh(); setTab('sorting'); } }, [sortDone, setTab]);
  useEffect(() => { if (corrDone) setTab('correction'); }, [corrDone, setTab]);
  const tfDone = useRun((s) => s.finished.tf);
  useEffect(() => { if (tfDone) setTab('tf'); }, [tfDone, setTab]);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">SpikeDesk</span>
        {menuBar && <MenuBar />}
        <span className="muted title" data-testid="recording-title">
          {connError ? 'Not connected' : loading ? 'Opening…' : meta ? `${meta.path.split(/[\\/]/).pop()} · ${meta.format} · ${meta.channels.length} ch · ${meta.sampleRate} Hz` : 'No recording'}
        </span>
        <span className="grow" />
        <button onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} title={hint('Toggle theme', 'theme')} data-testid="theme">{theme === 'dark' ? '☀ Light' : '☾ Dark'}</button>
        <button onClick={() => setHelp(true)} title={hint('Keyboard shortcuts', 'help')} data-testid="help">? Shortcuts</button>
      </header>
      {connError && <div className="connect-error"><ErrorBox error={connError} testId="connect-error" /></div>}
      <div className="workbench">
        <aside className="sidebar">
          <RecordingPanel />
          {/* The time-frequency tab has its own form; the sort/correction parameters would only mislead there. */}
          {tab !== 'tf' && <ParamsPanel />}
          <RunPanel />
        </aside>
        <main className="results">
          <nav className="tabs" role="tablist">
            {VIEWS.map(({ view: t, label }, i) => (
              <button key={t} title={`${label} (${keyOf('tabs', i)})`} role="tab" aria-selected={tab === t} className={tab === t ? 'on' : ''} onClick={() => setTab(t)} data-testid={`tab-${t}`}>{label}</button>
            ))}
          </nav>
          {tab === 'traces' && <TracesView />}
          {tab === 'sorting' && <SortingTab />}
          {tab === 'correction' && <CorrectionView />}
          {tab === 'tf' && <TfView />}
          {tab === 'batch' && <BatchPanel />}
        </main>
      </div>
      <HelpOverlay />
      <ExportDialog />
      <ReplaceSortDialog />
      <RawFormatDialog />
      <VersionsDialog />
    </div>
  );
}
