// Container: job settings (mode, jobs), start/cancel, one progress bar per worker, last report.
import { DEFAULT_FILTER } from '../../shared/params';
import { useRun } from '../stores/run';
import { useRecording } from '../stores/recording';
import { WorkerBars } from '../components/WorkerBars';

export function RunPanel() {
  const { progress, report, error, mode, jobs, setMode, setJobs, start, cancel } = useRun();
  const meta = useRecording((s) => s.meta);
  const running = progress?.state === 'running';
  return (
    <div className="panel run-panel">
      <div className="toolbar">
        <strong>Run</strong>
        <label><input type="radio" checked={mode === 'fast'} onChange={() => setMode('fast')} /> fast</label>
        <label><input type="radio" checked={mode === 'low-memory'} onChange={() => setMode('low-memory')} /> low memory</label>
        <label>jobs <input type="number" min={1} max={64} value={jobs} onChange={(e) => setJobs(Number(e.target.value))} style={{ width: 48 }} aria-label="jobs" /></label>
        <button disabled={!meta || running} onClick={() => void start({ workflow: 'filter', params: DEFAULT_FILTER })} data-testid="run-filter">Filter all channels</button>
        <button disabled={!running} onClick={() => void cancel()}>Cancel</button>
      </div>
      {progress && (
        <div className="muted" data-testid="run-status">
          {progress.state} · {progress.channelsDone}/{progress.channelsTotal} channels
          {Number.isFinite(progress.etaS) && progress.state === 'running' ? ` · ETA ${progress.etaS.toFixed(1)} s` : ''}
        </div>
      )}
      <WorkerBars workers={progress?.workers ?? []} />
      {error && <div className="error-inline" role="alert">{error.message}{error.fix ? ` — ${error.fix}` : ''}</div>}
      {report && (
        <div className="muted" data-testid="run-report">
          Last run: {report.workflow} · {report.state} · {report.wallS.toFixed(2)} s · peak {Math.max(0, ...report.peakRssMB).toFixed(0)} MB
          {report.failed.length ? ` · failed channels: ${report.failed.map((f) => f.channel).join(', ')}` : ''}
        </div>
      )}
    </div>
  );
}
